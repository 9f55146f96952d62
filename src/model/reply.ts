import type { Turn } from './conversation.ts';
import { messageText } from './messages.ts';
import type { Message } from './messages.ts';
import type { SpanView } from './span-view.ts';

/**
 * The assistant reply a span carries, as a Turn to check: agent and chat spans'
 * output messages with role assistant that have text. A reply made only of tool
 * calls states nothing to check yet, so it is no Turn.
 */
export function replyOf(view: SpanView, conversationId: string): Turn | undefined {
  if (view.operation !== 'invoke_agent' && view.operation !== 'chat') return undefined;
  let reply: Message[] | undefined;
  let replyText = '';
  for (const message of view.outputMessages) {
    if (message.role !== 'assistant') continue;
    const text = messageText(message);
    if (!text) continue;
    (reply ??= []).push(message);
    replyText = replyText ? `${replyText}\n${text}` : text;
  }
  if (!reply) return undefined;
  return {
    conversationId,
    traceId: view.span.traceId,
    spanId: view.span.spanId,
    reply,
    replyText,
    toolCalls: view.toolCalls,
  };
}
