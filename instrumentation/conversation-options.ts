import type { Attributes, Context, TracerProvider } from '@opentelemetry/api';
import { GenAI } from '../src/model/attributes.ts';
import { appAttributes, cohortAttributes, describeType, optionalString, warn } from './app-attributes.ts';
import type { AppAttributeValue, Cohort } from './app-attributes.ts';
import { textPart, toJsonAttribute } from './genai-json.ts';
import type { GenAIPart } from './genai-json.ts';

/**
 * How a conversation maps onto traces.
 * - `per-turn-trace` (default): no conversation span; each turn span is a child of
 *   whatever is active when the turn starts (your HTTP request span), or the root of
 *   a new trace. Turns are joined by `gen_ai.conversation.id`. Fits stateless chat,
 *   and long voice calls whose single trace would be unwieldy.
 * - `single-trace`: a `conversation {agent}` span is opened at start and ended by
 *   `end()`; every turn is its child. Fits a call handled in one process.
 */
export type TraceLayout = 'per-turn-trace' | 'single-trace';

export interface ConversationOptions {
  /** `gen_ai.conversation.id`, set by the app (instrumentations must not invent one). */
  readonly id: string;
  /** `gen_ai.agent.name`; span names become `invoke_agent {agentName}`. */
  readonly agentName?: string;
  readonly agentVersion?: string;
  /** Cohort dimensions: `vertical`, `language`, `flow`, `variant` and any other → `app.*`. */
  readonly cohort?: Cohort;
  /** Further attributes for the conversation's spans (any names, scalar values). */
  readonly attributes?: Readonly<Record<string, AppAttributeValue>>;
  /** The agent's instructions, recorded on each turn as `gen_ai.system_instructions`. */
  readonly systemInstructions?: string | readonly string[];
  readonly scope?: TraceLayout;
  /**
   * Record the text handed to the helpers (user input, replies, tool arguments and
   * results). Default true: it is the app's own content, given explicitly. Set
   * false where that text must not leave the process.
   */
  readonly captureContent?: boolean;
  /** Default: the global tracer provider. */
  readonly tracerProvider?: TracerProvider;
  /** `single-trace` only: parent of the conversation span (default: the active context). */
  readonly parentContext?: Context;
}

export interface ResolvedConversation {
  readonly id: string | undefined;
  readonly agentName: string | undefined;
  readonly scope: TraceLayout;
  readonly captureContent: boolean;
  /** `gen_ai.system_instructions`, encoded once: it is the same on every turn. */
  readonly systemInstructionsJson: string | undefined;
  /** On every span the conversation helpers start (not on tools). */
  readonly baseAttributes: Attributes;
}

const LAYOUTS: readonly TraceLayout[] = ['per-turn-trace', 'single-trace'];

/** Never throws: malformed options are dropped with a warning naming them. */
export function resolveConversationOptions(input: unknown): ResolvedConversation {
  let options = input as Partial<ConversationOptions>;
  if (typeof input !== 'object' || input === null) {
    warn(`startConversation: options must be an object, got ${describeType(input)}`);
    options = {};
  }
  const id = optionalString(
    options.id,
    'startConversation "id"',
    'spans will carry no gen_ai.conversation.id (readers fall back to the trace id)',
  );
  const agentName =
    options.agentName === undefined ? undefined : optionalString(options.agentName, 'startConversation "agentName"', 'ignored');
  const agentVersion =
    options.agentVersion === undefined
      ? undefined
      : optionalString(options.agentVersion, 'startConversation "agentVersion"', 'ignored');

  let scope: TraceLayout = 'per-turn-trace';
  if (options.scope !== undefined) {
    if (LAYOUTS.includes(options.scope)) scope = options.scope;
    else warn(`startConversation "scope": expected "per-turn-trace" or "single-trace", got ${JSON.stringify(options.scope) ?? describeType(options.scope)}; using "per-turn-trace"`);
  }

  let captureContent = true;
  if (options.captureContent !== undefined) {
    if (typeof options.captureContent === 'boolean') captureContent = options.captureContent;
    else warn(`startConversation "captureContent": expected a boolean, got ${describeType(options.captureContent)}; using true`);
  }

  return {
    id,
    agentName,
    scope,
    captureContent,
    systemInstructionsJson: instructionsJson(options.systemInstructions),
    baseAttributes: {
      ...appAttributes(options.attributes, 'startConversation attributes'),
      ...cohortAttributes(options.cohort, 'startConversation cohort'),
      ...(id !== undefined && { [GenAI.CONVERSATION_ID]: id }),
      ...(agentName !== undefined && { [GenAI.AGENT_NAME]: agentName }),
      ...(agentVersion !== undefined && { [GenAI.AGENT_VERSION]: agentVersion }),
    },
  };
}

function instructionsJson(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let parts: GenAIPart[] | undefined;
  if (typeof value === 'string') parts = [textPart(value)];
  else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) parts = value.map((item: string) => textPart(item));
  if (parts) return toJsonAttribute(parts);
  warn(`startConversation "systemInstructions": expected a string or an array of strings, got ${describeType(value)}; ignored`);
  return undefined;
}
