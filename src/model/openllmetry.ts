import type { AttributeScan } from './attribute-scan.ts';
import { OpenLLMetry } from './attributes.ts';
import { decodeBestEffort, parseJson, readString, UNREADABLE } from './decode.ts';
import { decodeToolResult } from './known-tool-results.ts';
import type { ReadContext } from './decode.ts';
import { requestedToolCalls } from './draft.ts';
import type { Draft } from './draft.ts';
import { readParts } from './genai-messages.ts';
import { groupIndexed } from './indexed.ts';
import type { IndexedItem } from './indexed.ts';
import type { Message, MessagePart } from './messages.ts';
import { payloadText } from './payload-text.ts';
import { textMessage, toolCall, toolCallPart, toolResponsePart } from './shapes.ts';
import type { Attributes } from './span-record.ts';

/**
 * OpenLLMetry (Traceloop): legacy `gen_ai.prompt.{i}.*` / `gen_ai.completion.{i}.*`
 * lists and `traceloop.entity.input` / `.output` on workflow, task, agent and tool
 * spans. Token counts use the old GenAI names, read in `genai.ts`.
 */
export function readOpenLLMetry(a: Attributes, scan: AttributeScan, draft: Draft, ctx: ReadContext): void {
  if (draft.inputMessages.length === 0 && scan.prompts) {
    draft.inputMessages = groupIndexed(scan.prompts, OpenLLMetry.PROMPT_PREFIX).map((m, i) =>
      readMessage(`${OpenLLMetry.PROMPT_PREFIX}${i}`, m, ctx),
    );
  }
  if (draft.outputMessages.length === 0 && scan.completions) {
    draft.outputMessages = groupIndexed(scan.completions, OpenLLMetry.COMPLETION_PREFIX).map((m, i) =>
      readMessage(`${OpenLLMetry.COMPLETION_PREFIX}${i}`, m, ctx, 'assistant'),
    );
    if (draft.toolCalls.length === 0) draft.toolCalls = requestedToolCalls(draft.outputMessages);
  }
  const kind = a[OpenLLMetry.SPAN_KIND];
  const input = a[OpenLLMetry.ENTITY_INPUT];
  const output = a[OpenLLMetry.ENTITY_OUTPUT];
  if (input === undefined && output === undefined) return;
  if (kind === 'tool') {
    if (draft.toolCalls.length > 0) return;
    const name = readString(OpenLLMetry.ENTITY_NAME, a[OpenLLMetry.ENTITY_NAME], ctx) ?? draft.spanName;
    const args = decodeBestEffort(OpenLLMetry.ENTITY_INPUT, input, ctx);
    draft.toolCalls = [toolCall(undefined, name, args, decodeToolResult(OpenLLMetry.ENTITY_OUTPUT, output, ctx))];
    return;
  }
  if (kind === 'agent') draft.agentName ??= readString(OpenLLMetry.ENTITY_NAME, a[OpenLLMetry.ENTITY_NAME], ctx);
  if (draft.inputMessages.length === 0 && input !== undefined) {
    const text = entityText(OpenLLMetry.ENTITY_INPUT, input, ctx);
    if (text) draft.inputMessages = [textMessage('user', text)];
  }
  if (draft.outputMessages.length === 0 && output !== undefined) {
    const text = entityText(OpenLLMetry.ENTITY_OUTPUT, output, ctx);
    if (text) draft.outputMessages = [textMessage('assistant', text)];
  }
}

/** Entity payloads are JSON (`{"inputs": …}`, `{"outputs": …}`) more often than not; plain text is kept as is. */
function entityText(name: string, value: Attributes[string], ctx: ReadContext): string {
  const text = readString(name, value, ctx);
  if (text === undefined) return '';
  const head = text.trimStart()[0];
  if (head !== '{' && head !== '[' && head !== '"') return text;
  const parsed = parseJson(name, text, ctx);
  return parsed === UNREADABLE ? text : payloadText(parsed);
}

function readMessage(where: string, m: IndexedItem, ctx: ReadContext, defaultRole = 'unknown'): Message {
  const role = readString(`${where}.role`, m.get('role'), ctx) ?? defaultRole;
  const parts: MessagePart[] = [];
  const content = readString(`${where}.content`, m.get('content'), ctx);
  if (content !== undefined) {
    if (role === 'tool') {
      const id = readString(`${where}.tool_call_id`, m.get('tool_call_id'), ctx);
      parts.push(toolResponsePart(id, content));
    } else if (content.startsWith('[{')) {
      // Multimodal content is stored as the JSON of its parts array.
      const decoded = parseJson(`${where}.content`, content, ctx);
      if (decoded === UNREADABLE) parts.push({ type: 'text', content });
      else parts.push(...readParts(`${where}.content`, decoded as Attributes[string], ctx));
    } else parts.push({ type: 'text', content });
  }
  for (const [j, call] of groupIndexed(m, 'tool_calls.').entries()) {
    const at = `${where}.tool_calls.${j}`;
    const id = readString(`${at}.id`, call.get('id'), ctx);
    const name = readString(`${at}.name`, call.get('name'), ctx) ?? '';
    parts.push(toolCallPart(id, name, decodeBestEffort(`${at}.arguments`, call.get('arguments'), ctx)));
  }
  const finishReason = m.get('finish_reason');
  return { role, parts, ...(typeof finishReason === 'string' && { finishReason }) };
}
