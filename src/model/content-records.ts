import { GenAI } from './attributes.ts';
import { isRecord, parseJson, UNREADABLE } from './decode.ts';
import { decodeToolResult } from './known-tool-results.ts';
import type { ReadContext } from './decode.ts';
import type { AttributeValue, Attributes } from './span-record.ts';

/**
 * GenAI content that travels beside a span rather than on its attributes (REFERENCE.md,
 * "instrumentation-openai"): log records linked to the span by trace id + span id (semconv 1.36
 * per-message events, the 1.38 operation-details event), and the older span events
 * `gen_ai.content.prompt` / `.completion`.
 */
export const ContentEvent = {
  SYSTEM_MESSAGE: 'gen_ai.system.message',
  USER_MESSAGE: 'gen_ai.user.message',
  ASSISTANT_MESSAGE: 'gen_ai.assistant.message',
  TOOL_MESSAGE: 'gen_ai.tool.message',
  CHOICE: 'gen_ai.choice',
  OPERATION_DETAILS: 'gen_ai.client.inference.operation.details',
  CONTENT_PROMPT: 'gen_ai.content.prompt',
  CONTENT_COMPLETION: 'gen_ai.content.completion',
} as const;

/** The attribute that names a log-based event when the record's own `eventName` field is empty (semconv ≤ 1.36). */
export const EVENT_NAME_ATTRIBUTE = 'event.name';
/** Older span events carry the messages as JSON strings under these. */
const PROMPT_ATTRIBUTE = 'gen_ai.prompt';
const COMPLETION_ATTRIBUTE = 'gen_ai.completion';
/** Some writers put a per-message event's body, as JSON, in this attribute of a span event. */
const EVENT_CONTENT_ATTRIBUTE = 'gen_ai.event.content';

const CONTENT_EVENT_NAMES: ReadonlySet<string> = new Set(Object.values(ContentEvent));

/** One content-bearing record: a log record's event name, time, attributes and body, or a span event (no body). */
export interface ContentRecord {
  readonly eventName: string;
  readonly timeUnixNano?: bigint;
  readonly attributes: Attributes;
  readonly body?: AttributeValue;
}

export function isContentEventName(name: string | undefined): name is string {
  return name !== undefined && CONTENT_EVENT_NAMES.has(name);
}

/** A log record's event name: its `eventName` field, else its `event.name` attribute (how 1.36 writers spell it). */
export function eventNameOf(eventName: string | undefined, attributes: Attributes | undefined): string | undefined {
  if (eventName) return eventName;
  const attribute = attributes?.[EVENT_NAME_ATTRIBUTE];
  return typeof attribute === 'string' && attribute ? attribute : undefined;
}

/** Whether a record carries the model's answer (the span's reply is then known). */
export function carriesOutput(record: ContentRecord): boolean {
  switch (record.eventName) {
    case ContentEvent.CHOICE:
    case ContentEvent.CONTENT_COMPLETION:
      return true;
    case ContentEvent.OPERATION_DETAILS:
      return record.attributes[GenAI.OUTPUT_MESSAGES] !== undefined;
    default:
      return false;
  }
}

/** What the records say, as the three GenAI content attributes (only those they fill). */
export type ContentAttributes = Partial<Record<typeof GenAI.INPUT_MESSAGES | typeof GenAI.OUTPUT_MESSAGES | typeof GenAI.SYSTEM_INSTRUCTIONS, AttributeValue>>;

/**
 * The span's content, read out of records beside it, as the attributes a GenAI span would carry,
 * so one set of readers (genai-messages.ts) reads every shape. Messages are in the OpenAI chat
 * form the per-message events use (`{role, content, tool_calls}`, `role: tool` with
 * `tool_call_id`) or the semconv `{role, parts}` form, which those readers both take. Records are
 * read in time order, ties in arrival order (an SDK stamps one request's messages alike).
 * Undefined when no record carries content.
 */
export function contentAttributesOf(records: readonly ContentRecord[], ctx: ReadContext): ContentAttributes | undefined {
  const ordered = inTimeOrder(records);
  const input: unknown[] = [];
  const choices: { index: number; message: unknown }[] = [];
  const output: unknown[] = [];
  const system: unknown[] = [];
  for (const record of ordered) {
    const where = `${record.eventName} record`;
    switch (record.eventName) {
      case ContentEvent.SYSTEM_MESSAGE:
      case ContentEvent.USER_MESSAGE:
      case ContentEvent.ASSISTANT_MESSAGE:
      case ContentEvent.TOOL_MESSAGE: {
        const body = bodyOf(record, where, ctx);
        if (body !== undefined) input.push(chatMessage(record.eventName, body, where, ctx));
        break;
      }
      case ContentEvent.CHOICE: {
        const body = bodyOf(record, where, ctx);
        if (body === undefined) break;
        const message = isRecord(body.message) ? body.message : {};
        const index = typeof body.index === 'number' ? body.index : choices.length;
        choices.push({
          index,
          message: { role: 'assistant', ...message, ...(typeof body.finish_reason === 'string' && { finish_reason: body.finish_reason }) },
        });
        break;
      }
      case ContentEvent.OPERATION_DETAILS:
        appendMessages(input, record.attributes[GenAI.INPUT_MESSAGES], `${where} ${GenAI.INPUT_MESSAGES}`, ctx);
        appendMessages(output, record.attributes[GenAI.OUTPUT_MESSAGES], `${where} ${GenAI.OUTPUT_MESSAGES}`, ctx);
        appendMessages(system, record.attributes[GenAI.SYSTEM_INSTRUCTIONS], `${where} ${GenAI.SYSTEM_INSTRUCTIONS}`, ctx);
        break;
      case ContentEvent.CONTENT_PROMPT:
        appendMessages(input, record.attributes[PROMPT_ATTRIBUTE], `${where} ${PROMPT_ATTRIBUTE}`, ctx, 'user');
        break;
      case ContentEvent.CONTENT_COMPLETION:
        appendMessages(output, record.attributes[COMPLETION_ATTRIBUTE], `${where} ${COMPLETION_ATTRIBUTE}`, ctx, 'assistant');
        break;
      default:
        break;
    }
  }
  // A request with n > 1 choices: the first one is the reply the app used (choice 0).
  choices.sort((a, b) => a.index - b.index);
  for (const choice of choices) output.push(choice.message);
  if (input.length === 0 && output.length === 0 && system.length === 0) return undefined;
  const attributes: { -readonly [K in keyof ContentAttributes]: AttributeValue } = {};
  if (input.length > 0) attributes[GenAI.INPUT_MESSAGES] = input.slice(0, ctx.maxItems) as AttributeValue;
  if (output.length > 0) attributes[GenAI.OUTPUT_MESSAGES] = output.slice(0, ctx.maxItems) as AttributeValue;
  if (system.length > 0) attributes[GenAI.SYSTEM_INSTRUCTIONS] = system.slice(0, ctx.maxItems) as AttributeValue;
  return attributes;
}

/** The span events of a span that carry content, as records (most spans have none: no allocation then). */
export function contentRecordsOfEvents(events: readonly { readonly name: string; readonly timeUnixNano: bigint; readonly attributes: Attributes }[]): ContentRecord[] | undefined {
  let found: ContentRecord[] | undefined;
  for (const event of events) {
    if (!CONTENT_EVENT_NAMES.has(event.name)) continue;
    (found ??= []).push({ eventName: event.name, timeUnixNano: event.timeUnixNano, attributes: event.attributes });
  }
  return found;
}

function inTimeOrder(records: readonly ContentRecord[]): readonly ContentRecord[] {
  for (let i = 1; i < records.length; i++) {
    const before = records[i - 1].timeUnixNano;
    const here = records[i].timeUnixNano;
    if (before !== undefined && here !== undefined && here < before) {
      // Array.prototype.sort is stable: equal times keep their arrival order.
      return [...records].sort((a, b) => (a.timeUnixNano === undefined || b.timeUnixNano === undefined ? 0 : a.timeUnixNano < b.timeUnixNano ? -1 : a.timeUnixNano > b.timeUnixNano ? 1 : 0));
    }
  }
  return records;
}

type Body = { readonly [key: string]: AttributeValue };

/**
 * A per-message event's fields: the log record's body (an AnyValue map, or a JSON string of one;
 * a plain string is the message text), or, on a span event, its attributes.
 */
function bodyOf(record: ContentRecord, where: string, ctx: ReadContext): Body | undefined {
  let body: unknown = record.body;
  if (body === undefined || body === null) {
    const embedded = record.attributes[EVENT_CONTENT_ATTRIBUTE];
    body = typeof embedded === 'string' ? embedded : record.attributes;
  }
  if (typeof body === 'string') {
    const trimmed = body.trimStart();
    if (!trimmed.startsWith('{')) return { content: body };
    body = parseJson(`${where} body`, body, ctx);
    if (body === UNREADABLE) return undefined;
  }
  if (isRecord(body)) return body;
  ctx.problems.push(`${where}: expected a map body, got ${body instanceof Uint8Array ? 'bytes' : Array.isArray(body) ? 'array' : typeof body}; skipped`);
  return undefined;
}

const ROLE_OF_EVENT: Readonly<Record<string, string>> = {
  [ContentEvent.SYSTEM_MESSAGE]: 'system',
  [ContentEvent.USER_MESSAGE]: 'user',
  [ContentEvent.ASSISTANT_MESSAGE]: 'assistant',
  [ContentEvent.TOOL_MESSAGE]: 'tool',
};

/**
 * A per-message event as an OpenAI chat message: the event name gives the role. A tool message
 * (`{id, content}`) becomes a semconv `tool_call_response` part whose response is decoded as an
 * `execute_tool` span's result is, so it grounds later replies the same way.
 */
function chatMessage(eventName: string, body: Body, where: string, ctx: ReadContext): Record<string, unknown> {
  const role = typeof body.role === 'string' && body.role ? body.role : ROLE_OF_EVENT[eventName];
  if (role === 'tool' && body.parts === undefined) {
    const id = body.id ?? body.tool_call_id;
    const content = body.content;
    if (content === undefined || content === null) return { role, parts: [] };
    const response = typeof content === 'string' ? decodeToolResult(`${where} content`, content, ctx) : content;
    return { role, parts: [{ type: 'tool_call_response', ...(typeof id === 'string' && { id }), response }] };
  }
  return { ...body, role };
}

/** Appends a list of messages given structured or as a JSON string; a plain string is one message of `textRole`. */
function appendMessages(into: unknown[], raw: AttributeValue | undefined, where: string, ctx: ReadContext, textRole?: string): void {
  if (raw === undefined || raw === null || raw === '') return;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    const trimmed = raw.trimStart();
    if (textRole !== undefined && !trimmed.startsWith('[') && !trimmed.startsWith('{')) {
      into.push({ role: textRole, content: raw });
      return;
    }
    value = parseJson(where, raw, ctx);
    if (value === UNREADABLE) return;
  }
  if (Array.isArray(value)) {
    for (const entry of value) into.push(entry);
    return;
  }
  if (isRecord(value)) {
    into.push(value);
    return;
  }
  ctx.problems.push(`${where}: expected messages, got ${typeof value}; skipped`);
}

const CHAT_OPERATIONS: ReadonlySet<unknown> = new Set(['chat', 'text_completion', 'generate_content']);
/** Where other instrumentations put a reply on the span itself (OpenInference, OpenLLMetry). */
const OWN_OUTPUT_ATTRIBUTES = ['output.value', 'traceloop.entity.output', 'llm.output_messages.0.message.content', 'gen_ai.completion.0.content'];

/**
 * A GenAI model call whose span carries no reply of its own: what the official OpenAI
 * instrumentation records (content as log records) and what a front door that receives the two
 * signals separately may wait for. Reads a few attributes and the event names; no parsing.
 */
export function awaitsContentRecords(span: { readonly attributes: Attributes; readonly events?: readonly { readonly name: string }[] }): boolean {
  const attributes = span.attributes;
  if (!CHAT_OPERATIONS.has(attributes[GenAI.OPERATION_NAME])) return false;
  if (attributes[GenAI.OUTPUT_MESSAGES] !== undefined) return false;
  for (const key of OWN_OUTPUT_ATTRIBUTES) if (attributes[key] !== undefined) return false;
  for (const event of span.events ?? []) {
    if (event.name === ContentEvent.CONTENT_COMPLETION || event.name === ContentEvent.CHOICE) return false;
  }
  return true;
}
