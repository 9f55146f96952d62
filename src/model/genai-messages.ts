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
    const where = `${name}[${i}]`;
    // SDK 2.x can only hold string[]: one JSON message per element.
    if (typeof entry === 'string') entry = parseJson(where, entry, ctx);
    if (entry === UNREADABLE) continue;
    if (!isRecord(entry)) {
      ctx.problems.push(`${where}: expected a message map, got ${describeType(entry)}; skipped`);
      continue;
    }
    messages.push(readMessage(where, entry, ctx, defaultRole));
  }
  return messages;
}

function readMessage(where: string, fields: Fields, ctx: ReadContext, defaultRole: string | undefined): Message {
  let role = readString(`${where}.role`, fields.role, ctx);
  if (role === undefined) {
    role = defaultRole ?? 'unknown';
    if (defaultRole === undefined) ctx.problems.push(`${where}: message has no role; read as "unknown"`);
  }
  let parts: MessagePart[];
  if (fields.parts !== undefined && fields.parts !== null) parts = readParts(`${where}.parts`, fields.parts, ctx);
  else parts = readContent(where, role, fields, ctx);
  if (Array.isArray(fields.tool_calls)) {
    for (let j = 0; j < fields.tool_calls.length && j < ctx.maxItems; j++) {
      const call = readOpenAiToolCall(`${where}.tool_calls[${j}]`, fields.tool_calls[j], ctx);
      if (call) parts.push(call);
    }
  }
  const name = typeof fields.name === 'string' ? fields.name : undefined;
  const finishReason = typeof fields.finish_reason === 'string' ? fields.finish_reason : undefined;
  return { role, parts, ...(name !== undefined && { name }), ...(finishReason !== undefined && { finishReason }) };
}

/** OpenAI-style `content`: a string, or an array of content parts. */
function readContent(where: string, role: string, fields: Fields, ctx: ReadContext): MessagePart[] {
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
  return readParts(`${where}.content`, content, ctx);
}

export function readParts(where: string, raw: AttributeValue, ctx: ReadContext): MessagePart[] {
  let entries: readonly AttributeValue[];
  if (Array.isArray(raw)) entries = raw;
  else if (isRecord(raw)) {
    ctx.problems.push(`${where}: expected an array of parts, got a single map; read as one part`);
    entries = [raw];
  } else if (typeof raw === 'string') {
    entries = [raw];
  } else {
    ctx.problems.push(`${where}: expected an array of parts, got ${describeType(raw)}; ignored`);
    return [];
  }
  const parts: MessagePart[] = [];
  const count = Math.min(entries.length, ctx.maxItems);
  if (entries.length > count) ctx.problems.push(`${where}: ${entries.length} parts, read the first ${count}`);
  for (let i = 0; i < count; i++) {
    const part = readPart(`${where}[${i}]`, entries[i], ctx);
    if (part) parts.push(part);
  }
  return parts;
}

function readPart(where: string, raw: AttributeValue, ctx: ReadContext): MessagePart | undefined {
  if (typeof raw === 'string') return { type: 'text', content: raw };
  if (!isRecord(raw)) {
    ctx.problems.push(`${where}: expected a part map, got ${describeType(raw)}; skipped`);
    return undefined;
  }
  const type = raw.type;
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return textPart(where, raw.content ?? raw.text, 'text', ctx);
    case 'reasoning':
    case 'thinking':
      return textPart(where, raw.content ?? raw.text, 'reasoning', ctx);
    case 'tool_call': {
      const id = readString(`${where}.id`, raw.id, ctx);
      const name = readString(`${where}.name`, raw.name, ctx);
      if (name === undefined) ctx.problems.push(`${where}: tool_call has no name`);
      return toolCallPart(id, name ?? '', decodeBestEffort(`${where}.arguments`, raw.arguments, ctx));
    }
    case 'tool_call_response': {
      const id = readString(`${where}.id`, raw.id, ctx);
      // The semconv schema names it `response`; its examples write `result` (REFERENCE.md): accept both.
      const response = raw.response !== undefined ? raw.response : raw.result;
      return toolResponsePart(id, response);
    }
    case undefined:
      if (typeof raw.content === 'string') {
        ctx.problems.push(`${where}: part has no type; read as text`);
        return { type: 'text', content: raw.content };
      }
      ctx.problems.push(`${where}: part has no type; kept as other`);
      return { type: 'other', originalType: '', raw };
    default:
      return { type: 'other', originalType: typeof type === 'string' ? type : describeType(type), raw };
  }
}

function textPart(where: string, content: AttributeValue, type: 'text' | 'reasoning', ctx: ReadContext): MessagePart | undefined {
  if (typeof content === 'string') return { type, content };
  const text = readString(`${where}.content`, content, ctx);
  if (text === undefined) {
    if (content === undefined || content === null) ctx.problems.push(`${where}: ${type} part has no content; skipped`);
    return undefined;
  }
  return { type, content: text };
}

/** OpenAI chat `tool_calls[]`: `{id, type: "function", function: {name, arguments: "<json>"}}`. */
function readOpenAiToolCall(where: string, raw: AttributeValue, ctx: ReadContext): MessagePart | undefined {
  if (!isRecord(raw)) {
    ctx.problems.push(`${where}: expected a tool call map, got ${describeType(raw)}; skipped`);
    return undefined;
  }
  const fn = isRecord(raw.function) ? raw.function : raw;
  const name = readString(`${where}.function.name`, fn.name, ctx) ?? '';
  const id = readString(`${where}.id`, raw.id, ctx);
  return toolCallPart(id, name, decodeBestEffort(`${where}.function.arguments`, fn.arguments, ctx));
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
