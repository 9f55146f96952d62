import type { AttributeScan } from './attribute-scan.ts';
import { OpenInference } from './attributes.ts';
import { decodeBestEffort, parseJson, readCount, readString, UNREADABLE } from './decode.ts';
import { decodeToolResult } from './known-tool-results.ts';
import type { ReadContext } from './decode.ts';
import { requestedToolCalls } from './draft.ts';
import type { Draft } from './draft.ts';
import { groupIndexed } from './indexed.ts';
import type { Entry, IndexedItem } from './indexed.ts';
import type { Message, MessagePart } from './messages.ts';
import { payloadText } from './payload-text.ts';
import { textMessage, toolCall, toolCallPart, toolResponsePart } from './shapes.ts';
import type { Attributes } from './span-record.ts';

const CONTENTS = 'message.contents.';
const TOOL_CALLS = 'message.tool_calls.';
const CONVERSATIONAL_KINDS: ReadonlySet<string> = new Set(['LLM', 'AGENT', 'CHAIN']);
const CONVERSATIONAL_OPERATIONS: ReadonlySet<string> = new Set(['chat', 'invoke_agent', 'workflow']);

/**
 * OpenInference (Arize): flattened `llm.input_messages.{i}.message.*` lists,
 * `input.value` / `output.value` with a mime type, TOOL and RETRIEVER spans.
 * Fills only what GenAI attributes left empty.
 */
export function readOpenInference(a: Attributes, scan: AttributeScan, draft: Draft, ctx: ReadContext): void {
  const kind = typeof a[OpenInference.SPAN_KIND] === 'string' ? (a[OpenInference.SPAN_KIND] as string).toUpperCase() : undefined;
  if (draft.inputMessages.length === 0 && scan.oiInputMessages) {
    draft.inputMessages = groupIndexed(scan.oiInputMessages, OpenInference.INPUT_MESSAGES_PREFIX).map((m, i) =>
      readMessage(`${OpenInference.INPUT_MESSAGES_PREFIX}${i}`, m, ctx),
    );
  }
  if (draft.outputMessages.length === 0 && scan.oiOutputMessages) {
    draft.outputMessages = groupIndexed(scan.oiOutputMessages, OpenInference.OUTPUT_MESSAGES_PREFIX).map((m, i) =>
      readMessage(`${OpenInference.OUTPUT_MESSAGES_PREFIX}${i}`, m, ctx),
    );
    if (draft.toolCalls.length === 0) draft.toolCalls = requestedToolCalls(draft.outputMessages);
  }
  const input = a[OpenInference.INPUT_VALUE];
  const output = a[OpenInference.OUTPUT_VALUE];
  if (kind === 'TOOL') {
    if (draft.toolCalls.length === 0 && (input !== undefined || output !== undefined || a[OpenInference.TOOL_NAME] !== undefined)) {
      const name = readString(OpenInference.TOOL_NAME, a[OpenInference.TOOL_NAME], ctx) ?? draft.spanName;
      const args = decodeBestEffort(OpenInference.INPUT_VALUE, input, ctx);
      draft.toolCalls = [toolCall(undefined, name, args, decodeToolResult(OpenInference.OUTPUT_VALUE, output, ctx))];
    }
  } else if (kind === undefined ? CONVERSATIONAL_OPERATIONS.has(draft.operation) : CONVERSATIONAL_KINDS.has(kind)) {
    // Without message lists, the span's input is what the user said and its output the reply.
    if (draft.inputMessages.length === 0 && input !== undefined) {
      const text = valueText(OpenInference.INPUT_VALUE, input, a[OpenInference.INPUT_MIME_TYPE], ctx);
      if (text) draft.inputMessages = [textMessage('user', text)];
    }
    if (draft.outputMessages.length === 0 && output !== undefined) {
      const text = valueText(OpenInference.OUTPUT_VALUE, output, a[OpenInference.OUTPUT_MIME_TYPE], ctx);
      if (text) draft.outputMessages = [textMessage('assistant', text)];
    }
  }
  if (draft.retrievedContext.length === 0 && scan.oiDocuments) {
    for (const document of groupIndexed(scan.oiDocuments, OpenInference.RETRIEVAL_DOCUMENTS_PREFIX)) {
      const content = document.get('document.content');
      if (typeof content === 'string' && content) draft.retrievedContext.push(content);
    }
  }
  draft.inputTokens ??= readCount(OpenInference.TOKEN_COUNT_PROMPT, a[OpenInference.TOKEN_COUNT_PROMPT], ctx);
  draft.outputTokens ??= readCount(OpenInference.TOKEN_COUNT_COMPLETION, a[OpenInference.TOKEN_COUNT_COMPLETION], ctx);
  draft.requestModel ??= readString(OpenInference.MODEL_NAME, a[OpenInference.MODEL_NAME], ctx);
  draft.provider ??=
    readString(OpenInference.PROVIDER, a[OpenInference.PROVIDER], ctx) ?? readString(OpenInference.SYSTEM, a[OpenInference.SYSTEM], ctx);
}

/** `input.value` / `output.value`: plain text unless `.mime_type` says application/json. */
function valueText(name: string, value: Attributes[string], mimeType: unknown, ctx: ReadContext): string {
  const text = readString(name, value, ctx);
  if (text === undefined) return '';
  if (mimeType !== 'application/json') return text;
  const parsed = parseJson(name, text, ctx);
  return parsed === UNREADABLE ? text : payloadText(parsed);
}

function readMessage(where: string, m: IndexedItem, ctx: ReadContext): Message {
  const role = readString(`${where}.message.role`, m.get('message.role'), ctx) ?? 'unknown';
  const parts: MessagePart[] = [];
  const content = m.get('message.content');
  if (content !== undefined) {
    const text = readString(`${where}.message.content`, content, ctx);
    if (text !== undefined) {
      if (role === 'tool') {
        const id = readString(`${where}.message.tool_call_id`, m.get('message.tool_call_id'), ctx);
        parts.push(toolResponsePart(id, text));
      } else parts.push({ type: 'text', content: text });
    }
  }
  // Most messages have neither list: one look at the keys decides before any grouping.
  let contents: Entry[] | undefined;
  let toolCalls: Entry[] | undefined;
  for (const entry of m) {
    if (entry[0].startsWith(CONTENTS)) (contents ??= []).push(entry);
    else if (entry[0].startsWith(TOOL_CALLS)) (toolCalls ??= []).push(entry);
  }
  if (contents) {
    for (const item of groupIndexed(contents, CONTENTS)) {
      const text = item.get('message_content.text');
      if (typeof text === 'string') parts.push({ type: 'text', content: text });
    }
  }
  if (!toolCalls) return finishMessage(role, parts, m);
  for (const [j, call] of groupIndexed(toolCalls, TOOL_CALLS).entries()) {
    const at = `${where}.message.tool_calls.${j}.tool_call`;
    const id = readString(`${at}.id`, call.get('tool_call.id'), ctx);
    const name = readString(`${at}.function.name`, call.get('tool_call.function.name'), ctx) ?? '';
    const args = decodeBestEffort(`${at}.function.arguments`, call.get('tool_call.function.arguments'), ctx);
    parts.push(toolCallPart(id, name, args));
  }
  return finishMessage(role, parts, m);
}

function finishMessage(role: string, parts: MessagePart[], m: IndexedItem): Message {
  const name = m.get('message.name');
  return typeof name === 'string' ? { role, parts, name } : { role, parts };
}
