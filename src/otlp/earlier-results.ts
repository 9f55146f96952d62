import { CONTENT_PROBLEM_EVENT, EVALUATION_RESULT_EVENT, TracejudgeAttributes } from '../results/index.ts';
import type { DecodedSpan } from './index.ts';

/**
 * Removes what an earlier inline evaluation by tracejudge wrote on a span —
 * deterministic `gen_ai.evaluation.result` events and content-problem events —
 * so that evaluating spans again (a file the SDK processor or a previous
 * `check` wrote; spans an SDK processor evaluated before sending them to the
 * collector) replaces those results instead of doubling them.
 * Judge and human results, and every other event, are kept.
 * Returns how many events were removed.
 */
export function dropEarlierInlineResults(span: DecodedSpan): number {
  const events = span.events;
  let kept = 0;
  for (const event of events) {
    const inline =
      event.name === CONTENT_PROBLEM_EVENT ||
      (event.name === EVALUATION_RESULT_EVENT && event.attributes[TracejudgeAttributes.EVALUATION_SOURCE] === 'deterministic');
    if (!inline) events[kept++] = event;
  }
  const removed = events.length - kept;
  events.length = kept;
  if (removed > 0) span.forgetReceived();
  return removed;
}
