import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { messageText, normalizeSpan, spanRecordFromReadable } from '../../model/index.ts';
import type { ToolCall } from '../../model/index.ts';

/** What a judge needs from a run's spans, in the order they started (only read when a judge is configured). */
export interface SpanTranscript {
  systemInstructions: readonly string[];
  readonly retrievedContext: string[];
  /** `invoke_agent` spans that carry user messages or a reply: one per turn. */
  readonly turns: { readonly traceId: string; readonly spanId: string; readonly startMs: number; readonly userMessages: readonly string[]; readonly replies: readonly string[] }[];
  readonly tools: { readonly traceId: string; readonly parentSpanId?: string; readonly startMs: number; readonly call: ToolCall }[];
}

export function emptySpanTranscript(): SpanTranscript {
  return { systemInstructions: [], retrievedContext: [], turns: [], tools: [] };
}

/** Reads one ended span into the transcript, through the same normalization the online judge reads. */
export function collectTranscript(into: SpanTranscript, span: ReadableSpan): void {
  const view = normalizeSpan(spanRecordFromReadable(span));
  const traceId = view.span.traceId;
  const startMs = span.startTime[0] * 1e3 + span.startTime[1] / 1e6;
  if (into.systemInstructions.length === 0 && view.systemInstructions.length > 0) into.systemInstructions = view.systemInstructions;
  into.retrievedContext.push(...view.retrievedContext);
  if (view.operation === 'execute_tool') {
    for (const call of view.toolCalls) into.tools.push({ traceId, ...(view.span.parentSpanId ? { parentSpanId: view.span.parentSpanId } : {}), startMs, call });
    return;
  }
  if (view.operation !== 'invoke_agent') return;
  const userMessages = view.inputMessages.filter((message) => message.role === 'user').map(messageText).filter((text) => text !== '');
  const replies = view.outputMessages.filter((message) => message.role === 'assistant').map(messageText).filter((text) => text !== '');
  if (userMessages.length > 0 || replies.length > 0) into.turns.push({ traceId, spanId: view.span.spanId, startMs, userMessages, replies });
}
