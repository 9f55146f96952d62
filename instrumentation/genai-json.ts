/**
 * GenAI semconv message JSON as written on spans (REFERENCE.md, "Message JSON"):
 * input `[{role, parts[], name?}]`, output adds `finish_reason`, system
 * instructions are a bare array of parts. Snake case on purpose: this is the wire
 * shape, not the normalized `Message` of src/model.
 */

export type GenAIPart =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id?: string; name: string; arguments?: unknown }
  | { type: 'tool_call_response'; id?: string; response: unknown }
  | { type: 'reasoning'; content: string }
  | { type: 'uri'; modality: string; uri: string }
  | { type: 'file'; modality?: string; file_id?: string; filename?: string }
  | { type: 'blob'; modality: string; mime_type?: string }
  /** OpenAI refusals have no semconv part type; readers keep unknown types and ignore them. */
  | { type: 'refusal'; content: string };

export interface GenAIMessage {
  role: string;
  parts: GenAIPart[];
  name?: string;
}

export interface GenAIOutputMessage extends GenAIMessage {
  finish_reason: string;
}

export function textPart(content: string): GenAIPart {
  return { type: 'text', content };
}

export function userTextMessage(text: string): GenAIMessage {
  return { role: 'user', parts: [textPart(text)] };
}

/**
 * Semconv's `finish_reason` enum is stop | length | content_filter | tool_call | error;
 * OpenAI's plural `tool_calls` and legacy `function_call` map onto `tool_call`.
 * Unknown provider values pass through: dropping them would lose information.
 */
export function semconvFinishReason(reason: string | null | undefined): string {
  switch (reason) {
    case null:
    case undefined:
    case '':
      return 'stop';
    case 'tool_calls':
    case 'function_call':
      return 'tool_call';
    default:
      return reason;
  }
}

/**
 * Content attributes are JSON strings, which semconv allows on spans: every SDK
 * version and backend keeps them, whereas structured AnyValue is dropped by 2.x
 * SDKs and shown as opaque maps by Jaeger. Readers in src/model accept both.
 * Never throws: an unserializable value (cycle, BigInt) is described instead.
 */
export function toJsonAttribute(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Rare (BigInt, cycles): only then pay for a replacer on every key.
    try {
      return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item)) ?? String(value);
    } catch (error) {
      return JSON.stringify({ unserializable: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** Tool arguments and results: strings stay as given (often already JSON), others are encoded. */
export function toolPayloadAttribute(value: unknown): string {
  return typeof value === 'string' ? value : toJsonAttribute(value);
}

/** Model-produced tool arguments are JSON text; keep them structured when they parse. */
export function parseArguments(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
