import type { EvaluationTarget, TranscriptTurn } from '../../judge/index.ts';
import type { ToolCall } from '../../model/index.ts';
import { userMessages } from '../dataset/index.ts';
import type { RunCase } from '../evaluators/index.ts';

const NO_TRACE = '0'.repeat(32);
const NO_SPAN = '0'.repeat(16);

/**
 * A run as the judge's EvaluationTarget: the same shape online judging sees.
 * Turns come from the run's turn spans (user messages, tool calls with their
 * results, replies); an agent whose spans carry no content is judged on the
 * row's user messages, its reported tool calls and its reply. The judged turn
 * is the last, and its reply is always the run's final reply.
 */
export function judgeTarget(run: RunCase, conversationId: string): EvaluationTarget {
  const transcript = run.trace.transcript;
  const spanTurns = [...(transcript?.turns ?? [])].sort((x, y) => x.startMs - y.startMs);
  let turns: TranscriptTurn[];
  if (spanTurns.length > 0) {
    const calls = spanTurns.map((): ToolCall[] => []);
    for (const tool of transcript?.tools ?? []) {
      // The turn the tool span is a child of; else the latest turn of its trace that started before it; else the last.
      let owner = spanTurns.findIndex((turn) => turn.spanId === tool.parentSpanId && turn.traceId === tool.traceId);
      if (owner === -1) owner = spanTurns.findLastIndex((turn) => turn.traceId === tool.traceId && turn.startMs <= tool.startMs);
      calls[owner === -1 ? calls.length - 1 : owner].push(tool.call);
    }
    turns = spanTurns.map((turn, index) => ({ userMessages: turn.userMessages, toolCalls: calls[index], assistantReplies: turn.replies, traceId: turn.traceId, spanId: turn.spanId }));
    const last = turns[turns.length - 1];
    if (!last.assistantReplies.includes(run.output.reply)) turns[turns.length - 1] = { ...last, assistantReplies: [...last.assistantReplies, run.output.reply] };
  } else {
    turns = [{ userMessages: userMessages(run.row), toolCalls: run.toolCalls.map((call) => ({ name: call.name, ...(call.arguments ? { arguments: call.arguments } : {}) })), assistantReplies: [run.output.reply] }];
  }
  const judged = turns[turns.length - 1];
  return {
    conversationId,
    traceId: judged.traceId ?? NO_TRACE,
    spanId: judged.spanId ?? NO_SPAN,
    systemInstructions: transcript?.systemInstructions ?? [],
    turns,
    ...(transcript?.retrievedContext.length ? { retrievedContext: transcript.retrievedContext } : {}),
    outcome: { escalated: run.outcomes.has('escalated'), bookingMade: run.outcomes.has('booking_made'), ticketCreated: run.outcomes.has('ticket_created') },
    // Dataset tags are the run's cohort (the runner starts conversations with them as `app.*`).
    cohort: Object.fromEntries(Object.entries(run.row.tags).map(([key, value]) => [`app.${key}`, value])),
  };
}
