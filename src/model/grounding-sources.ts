import type { GroundingSource, GroundingSourceKind } from './conversation.ts';
import { historySourceText } from './history-memo.ts';
import { sourceTextOf } from './known-tool-results.ts';
import type { Message } from './messages.ts';
import type { SpanView } from './span-view.ts';

/**
 * What one span adds to its conversation's grounding (DESIGN.md, "Grounding"):
 * tool results, system instructions, retrieved context and user messages.
 * Assistant text is never a source — the agent cannot vouch for itself — and
 * neither are the arguments the model chose for a tool.
 */
export function groundingSourcesOf(view: SpanView): GroundingSource[] {
  const sources: GroundingSource[] = [];
  const { traceId, spanId } = view.span;
  const add = (kind: GroundingSourceKind, text: string): void => {
    if (text) sources.push({ kind, text, traceId, spanId });
  };
  for (const text of view.systemInstructions) add('system_instructions', text);
  for (const message of view.inputMessages) addMessage(message, add);
  for (const call of view.toolCalls) {
    if (call.result !== undefined && call.result !== null) add('tool_result', sourceTextOf(call.result));
  }
  for (const text of view.retrievedContext) add('retrieved_context', text);
  return sources;
}

function addMessage(message: Message, add: (kind: GroundingSourceKind, text: string) => void): void {
  // Tool answers may come in any role (semconv `tool`, Anthropic-style `user`): the part type decides.
  for (const part of message.parts) {
    if (part.type === 'tool_call_response') add('tool_result', historySourceText(part.response) ?? sourceTextOf(part.response));
  }
  const kind = TEXT_SOURCE_BY_ROLE[message.role];
  if (kind === undefined) return;
  for (const part of message.parts) {
    if (part.type === 'text') add(kind, part.content);
  }
}

/** Which roles' plain text grounds what; assistant (and unknown roles) ground nothing. */
const TEXT_SOURCE_BY_ROLE: Readonly<Record<string, GroundingSourceKind>> = Object.assign(Object.create(null), {
  user: 'user_message',
  system: 'system_instructions',
  developer: 'system_instructions',
  tool: 'tool_result',
});
