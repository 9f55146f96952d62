import { context as otelContext, diag } from '@opentelemetry/api';
import { GenAI } from '../../src/model/attributes.ts';
import { cohortAttributes } from '../app-attributes.ts';
import type { AppScalar, Cohort } from '../app-attributes.ts';
import { conversationIdOf } from '../conversation-context.ts';

/**
 * What the hook returns: scalars only, typed narrower than OTel's `Attributes` so that it fits the
 * `@opentelemetry/api` version `@ai-sdk/otel` pins as well as ours.
 */
export type AiSdkSpanAttributes = Record<string, AppScalar>;

/** What `@ai-sdk/otel`'s `enrichSpan` hook is given (declared here: `ai` is an optional peer). */
export interface AiSdkSpanInfo {
  readonly spanType: string;
  readonly runtimeContext: Record<string, unknown> | undefined;
}

export interface AiSdkConversationOptions {
  /** The `runtimeContext` key holding the conversation id. Default `conversationId`. */
  readonly conversationIdKey?: string;
  /** The `runtimeContext` key holding the cohort (`{ vertical, language, flow, variant, … }`). Default `cohort`. */
  readonly cohortKey?: string;
}

/** The two halves the AI SDK needs: the integration's hook, and the call's permission to hand it the keys. */
export interface AiSdkConversation {
  /** For `new OpenTelemetry({ enrichSpan })` (`@ai-sdk/otel`). */
  readonly enrichSpan: (info: AiSdkSpanInfo) => AiSdkSpanAttributes | undefined;
  /**
   * For the call's `telemetry: { includeRuntimeContext }`: the AI SDK hands integrations only the
   * runtime-context keys a call includes. Listing them does not record them as attributes (the
   * integration's own `runtimeContext` option, off by default, would).
   */
  readonly includeRuntimeContext: Readonly<Record<string, true>>;
}

/**
 * An `enrichSpan` for the AI SDK's OpenTelemetry integration that puts
 * `gen_ai.conversation.id` and the cohort's `app.*` attributes on every span of a
 * call — the call's root, each step, each model call, each tool — so turns of one
 * chat are joined (docs/instrumentation.md, "Vercel AI SDK"):
 *
 *   const conversation = aiSdkConversation();
 *   registerTelemetry(new OpenTelemetry({ enrichSpan: conversation.enrichSpan }));
 *   await generateText({ model, messages, runtimeContext: { conversationId: chatId, cohort: { vertical: 'clinic' } },
 *     telemetry: { includeRuntimeContext: conversation.includeRuntimeContext } });
 *
 * Without an id in the runtime context, a call made inside `conversation.turn(...)` takes that
 * conversation's id (as the OpenAI client's spans do). Never throws: the SDK would drop the
 * attributes of a throwing hook, so a malformed value is left out with a diag warning instead.
 */
export function aiSdkConversation(options: AiSdkConversationOptions = {}): AiSdkConversation {
  const idKey = options.conversationIdKey ?? 'conversationId';
  const cohortKey = options.cohortKey ?? 'cohort';
  return { enrichSpan: conversationAttributes(idKey, cohortKey), includeRuntimeContext: { [idKey]: true, [cohortKey]: true } };
}

function conversationAttributes(idKey: string, cohortKey: string): (info: AiSdkSpanInfo) => AiSdkSpanAttributes | undefined {
  return (info) => {
    try {
      const runtime = info.runtimeContext ?? {};
      const given = runtime[idKey];
      if (given !== undefined && (typeof given !== 'string' || given === '')) {
        diag.warn(`tracejudge: AI SDK runtimeContext.${idKey}: expected a non-empty string, got ${typeof given}; the span is left without gen_ai.conversation.id`);
      }
      const conversationId = typeof given === 'string' && given !== '' ? given : conversationIdOf(otelContext.active());
      const attributes = cohortAttributes(runtime[cohortKey] as Cohort | undefined, `AI SDK runtimeContext.${cohortKey}`) as AiSdkSpanAttributes;
      if (conversationId) attributes[GenAI.CONVERSATION_ID] = conversationId;
      return attributes;
    } catch (error) {
      diag.error('tracejudge: aiSdkConversation\'s enrichSpan failed; the span keeps the SDK\'s own attributes', error);
      return undefined;
    }
  };
}
