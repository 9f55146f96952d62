import type { Message, MessagePart } from './messages.ts';
import type { AttributeValue } from './span-record.ts';
import { decodeBestEffort, decodeStructured, describeType, isRecord, parseJson, readString, UNREADABLE } from './decode.ts';
import type { ReadContext } from './decode.ts';
import { parseMessagesJson } from './known-tool-results.ts';
import { toolCallPart, toolResponsePart } from './shapes.ts';

/**
 * GenAI semconv message JSON (REFERENCE.md, "Message JSON"): `[{role, parts[], name?, finish_reason?}]`,
 * as a JSON string or structured AnyValue. Older shapes are tolerated: OpenAI-style
 * `{role, content: "text" | parts[], tool_calls[], tool_call_id}`.
 */

type Fields = { readonly [key: string]: AttributeValue };

/**
 * Where a value sits, for problem notes: `name[message].key[part]` (a negative index or an
 * empty key leaves that piece out). Readers carry the pieces and spell the path out only
 * when they write a note, which clean content never needs: building it for every message,
 * part and field was ~40% of the walk over structured (AnyValue) messages.
 */
function pathOf(name: string, message: number, key: string, part: number): string {
  let path = message < 0 ? name : `${name}[${message}]`;
  if (key !== '') path += `.${key}`;
  return part < 0 ? path : `${path}[${part}]`;
}

/** `readString` of the field `field` at that path, spelled out only when there is a note to write. */
function stringAt(value: AttributeValue | undefined, ctx: ReadContext, name: string, message: number, key: string, part: number, field: string): string | undefined {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  return readString(`${pathOf(name, message, key, part)}.${field}`, value, ctx);
}

/** `decodeBestEffort` of the field `field` at that path: only strings can hold JSON to decode. */
function decodedAt(value: AttributeValue | undefined, ctx: ReadContext, name: string, message: number, key: string, part: number, field: string): unknown {
  if (typeof value !== 'string') return value;
  return decodeBestEffort(`${pathOf(name, message, key, part)}.${field}`, value, ctx);
}

/** `defaultRole` fills a missing role: output messages are the model's by definition. */
export function readMessages(name: string, raw: AttributeValue, ctx: ReadContext, defaultRole?: string): Message[] {
  // A chat span's input repeats the tool results its turn's tool spans carried: those are reused.
  const decoded = typeof raw === 'string' && raw.length > 0 ? parseMessagesJson(name, raw, ctx) : decodeStructured(name, raw, ctx);
  if (decoded === UNREADABLE || decoded === null) return [];
  let entries: readonly unknown[];
  if (Array.isArray(decoded)) entries = decoded;
  else if (isRecord(decoded)) {
    ctx.problems.push(`${name}: expected an array of messages, got a single map; read as one message`);
    entries = [decoded];
  } else {
    ctx.problems.push(`${name}: expected an array of messages, got ${describeType(decoded)}`);
    return [];
  }
  const messages: Message[] = [];
  const count = Math.min(entries.length, ctx.maxItems);
  if (entries.length > count) ctx.problems.push(`${name}: ${entries.length} messages, read the first ${count}`);
  for (let i = 0; i < count; i++) {
    let entry = entries[i];
    // SDK 2.x can only hold string[]: one JSON message per element.
    if (typeof entry === 'string') entry = parseJson(pathOf(name, i, '', -1), entry, ctx);
    if (entry === UNREADABLE) continue;
    if (!isRecord(entry)) {
      ctx.problems.push(`${pathOf(name, i, '', -1)}: expected a message map, got ${describeType(entry)}; skipped`);
      continue;
    }
    messages.push(readMessage(name, i, entry, ctx, defaultRole));
  }
  return messages;
}

/** Message `index` of the list `name`. */
function readMessage(name: string, index: number, fields: Fields, ctx: ReadContext, defaultRole: string | undefined): Message {
  let role = stringAt(fields.role, ctx, name, index, '', -1, 'role');
  if (role === undefined) {
    role = defaultRole ?? 'unknown';
    if (defaultRole === undefined) ctx.problems.push(`${pathOf(name, index, '', -1)}: message has no role; read as "unknown"`);
  }
  let parts: MessagePart[];
  if (fields.parts !== undefined && fields.parts !== null) parts = partsAt(name, index, 'parts', fields.parts, ctx);
  else parts = readContent(name, index, role, fields, ctx);
  const toolCalls = fields.tool_calls;
  if (Array.isArray(toolCalls)) {
    for (let j = 0; j < toolCalls.length && j < ctx.maxItems; j++) {
      const call = readOpenAiToolCall(name, index, j, toolCalls[j], ctx);
      if (call) parts.push(call);
    }
  }
  // Optional fields are left out rather than set to undefined (shapes.ts), in this key order.
  const message: { role: string; parts: MessagePart[]; name?: string; finishReason?: string } = { role, parts };
  if (typeof fields.name === 'string') message.name = fields.name;
  if (typeof fields.finish_reason === 'string') message.finishReason = fields.finish_reason;
  return message;
}

/** OpenAI-style `content`: a string, or an array of content parts. */
function readContent(name: string, index: number, role: string, fields: Fields, ctx: ReadContext): MessagePart[] {
  const content = fields.content;
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') {
    // A `tool` message's content is the tool's answer (OpenAI chat `role: tool`).
    if (role === 'tool') {
      const id = typeof fields.tool_call_id === 'string' ? fields.tool_call_id : undefined;
      return [toolResponsePart(id, content)];
    }
    return [{ type: 'text', content }];
  }
  return partsAt(name, index, 'content', content, ctx);
}

export function readParts(where: string, raw: AttributeValue, ctx: ReadContext): MessagePart[] {
  return partsAt(where, -1, '', raw, ctx);
}

/** The parts list at `pathOf(name, message, key)`. */
function partsAt(name: string, message: number, key: string, raw: AttributeValue, ctx: ReadContext): MessagePart[] {
  let entries: readonly AttributeValue[];
  if (Array.isArray(raw)) entries = raw;
  else if (isRecord(raw)) {
    ctx.problems.push(`${pathOf(name, message, key, -1)}: expected an array of parts, got a single map; read as one part`);
    entries = [raw];
  } else if (typeof raw === 'string') {
    entries = [raw];
  } else {
    ctx.problems.push(`${pathOf(name, message, key, -1)}: expected an array of parts, got ${describeType(raw)}; ignored`);
    return [];
  }
  const parts: MessagePart[] = [];
  const count = Math.min(entries.length, ctx.maxItems);
  if (entries.length > count) ctx.problems.push(`${pathOf(name, message, key, -1)}: ${entries.length} parts, read the first ${count}`);
  for (let i = 0; i < count; i++) {
    const part = readPart(name, message, key, i, entries[i], ctx);
    if (part) parts.push(part);
  }
  return parts;
}

/** Part `part` of the parts list at `pathOf(name, message, key)`. */
function readPart(name: string, message: number, key: string, part: number, raw: AttributeValue, ctx: ReadContext): MessagePart | undefined {
  if (typeof raw === 'string') return { type: 'text', content: raw };
  if (!isRecord(raw)) {
    ctx.problems.push(`${pathOf(name, message, key, part)}: expected a part map, got ${describeType(raw)}; skipped`);
    return undefined;
  }
  const type = raw.type;
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return textPart(raw.content ?? raw.text, 'text', ctx, name, message, key, part);
    case 'reasoning':
    case 'thinking':
      return textPart(raw.content ?? raw.text, 'reasoning', ctx, name, message, key, part);
    case 'tool_call': {
      const id = stringAt(raw.id, ctx, name, message, key, part, 'id');
      const toolName = stringAt(raw.name, ctx, name, message, key, part, 'name');
      if (toolName === undefined) ctx.problems.push(`${pathOf(name, message, key, part)}: tool_call has no name`);
      return toolCallPart(id, toolName ?? '', decodedAt(raw.arguments, ctx, name, message, key, part, 'arguments'));
    }
    case 'tool_call_response': {
      const id = stringAt(raw.id, ctx, name, message, key, part, 'id');
      // The semconv schema names it `response`; its examples write `result` (REFERENCE.md): accept both.
      const response = raw.response !== undefined ? raw.response : raw.result;
      return toolResponsePart(id, response);
    }
    case undefined:
      if (typeof raw.content === 'string') {
        ctx.problems.push(`${pathOf(name, message, key, part)}: part has no type; read as text`);
        return { type: 'text', content: raw.content };
      }
      ctx.problems.push(`${pathOf(name, message, key, part)}: part has no type; kept as other`);
      return { type: 'other', originalType: '', raw };
    default:
      return { type: 'other', originalType: typeof type === 'string' ? type : describeType(type), raw };
  }
}

function textPart(content: AttributeValue, type: 'text' | 'reasoning', ctx: ReadContext, name: string, message: number, key: string, part: number): MessagePart | undefined {
  if (typeof content === 'string') return { type, content };
  const text = stringAt(content, ctx, name, message, key, part, 'content');
  if (text === undefined) {
    if (content === undefined || content === null) ctx.problems.push(`${pathOf(name, message, key, part)}: ${type} part has no content; skipped`);
    return undefined;
  }
  return { type, content: text };
}

/** OpenAI chat `tool_calls[]`: `{id, type: "function", function: {name, arguments: "<json>"}}`. */
function readOpenAiToolCall(name: string, message: number, index: number, raw: AttributeValue, ctx: ReadContext): MessagePart | undefined {
  if (!isRecord(raw)) {
    ctx.problems.push(`${pathOf(name, message, 'tool_calls', index)}: expected a tool call map, got ${describeType(raw)}; skipped`);
    return undefined;
  }
  const fn = isRecord(raw.function) ? raw.function : raw;
  const toolName = stringAt(fn.name, ctx, name, message, 'tool_calls', index, 'function.name') ?? '';
  const id = stringAt(raw.id, ctx, name, message, 'tool_calls', index, 'id');
  return toolCallPart(id, toolName, decodedAt(fn.arguments, ctx, name, message, 'tool_calls', index, 'function.arguments'));
}

/** `gen_ai.system_instructions`: an array of parts (JSON or structured), or plain text from older writers. */
export function readSystemInstructions(name: string, raw: AttributeValue, ctx: ReadContext): string[] {
  if (raw === undefined || raw === null) return [];
  let decoded: unknown = raw;
  if (typeof raw === 'string') {
    const head = raw.trimStart()[0];
    if (head !== '[' && head !== '{') return raw ? [raw] : [];
    decoded = parseJson(name, raw, ctx);
    // Instructions are grounding: text we cannot parse is still the text the model was given.
    if (decoded === UNREADABLE) return [raw];
  }
  const parts = readParts(name, decoded as AttributeValue, ctx);
  const texts: string[] = [];
  for (const part of parts) if (part.type === 'text' && part.content) texts.push(part.content);
  return texts;
}
