import { GenAI, OpenInference, OpenLLMetry } from './attributes.ts';
import { readString } from './decode.ts';
import type { ReadContext } from './decode.ts';
import type { Attributes } from './span-record.ts';
import type { SpanView } from './span-view.ts';

/** DESIGN.md, "Conversation key": semconv first, then OpenInference, then OpenLLMetry. */
const CONVERSATION_ATTRIBUTES = [GenAI.CONVERSATION_ID, OpenInference.SESSION_ID, OpenLLMetry.SESSION_ID] as const;

/** The conversation id a span states itself, if any (empty strings state nothing). */
export function conversationIdOf(attributes: Attributes, ctx: ReadContext): string | undefined {
  for (const name of CONVERSATION_ATTRIBUTES) {
    const id = readString(name, attributes[name], ctx);
    if (id) return id;
  }
  return undefined;
}

/**
 * The key a span's conversation is buffered and sampled under: its own id, else
 * the id already known for its trace ("child spans without the attribute belong
 * to their trace's conversation"; the caller tracks trace → conversation), else
 * the trace itself.
 */
export function resolveConversationKey(view: Pick<SpanView, 'conversationId' | 'span'>, traceConversationId?: string): string {
  return view.conversationId ?? (traceConversationId || traceConversationKey(view.span.traceId));
}

/** The key of a trace's own conversation, before any span of it names one. */
export function traceConversationKey(traceId: string): string {
  return `trace:${traceId}`;
}
