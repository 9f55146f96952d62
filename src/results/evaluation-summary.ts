import { SpanStatusCode, type Attributes, type SpanStatus } from '@opentelemetry/api';
import type { EvaluationResult } from '../model/evaluation-result.ts';
import { TracejudgeAttributes } from './names.ts';

/** What an ERROR status written by tracejudge says first: such a status is ours to update. */
const STATUS_PREFIX = 'tracejudge: failed evaluations: ';

/** A result below this score failed, as a `fail` label does (the review queue's default threshold). */
const FAILING_BELOW = 0.5;

function failed(result: EvaluationResult): boolean {
  if (result.error !== undefined) return false;
  return result.label === 'fail' || (typeof result.score === 'number' && result.score < FAILING_BELOW);
}

/**
 * The span-level summary of its evaluations, merged with what the span already says: what
 * Jaeger's tag search and TraceQL find exactly (`tracejudge.evaluation.failed=true`,
 * `{ span.tracejudge.evaluation.failed = true }`), where event attributes are pooled per span and
 * an event query matches any event. `failed` once set stays set; names accumulate; the minimum
 * score is kept. Undefined when the results change nothing.
 */
export function evaluationSummary(existing: Readonly<Record<string, unknown>>, results: readonly EvaluationResult[]): Attributes | undefined {
  const scored = results.filter((result) => result.error === undefined && (typeof result.score === 'number' || result.label !== undefined));
  if (scored.length === 0) return undefined;
  const names = new Set(Array.isArray(existing[TracejudgeAttributes.FAILED_NAMES]) ? (existing[TracejudgeAttributes.FAILED_NAMES] as string[]) : []);
  for (const result of scored) if (failed(result)) names.add(result.name);
  const scores = scored.flatMap((result) => (typeof result.score === 'number' && Number.isFinite(result.score) ? [result.score] : []));
  const previousMin = existing[TracejudgeAttributes.MIN_SCORE];
  if (typeof previousMin === 'number') scores.push(previousMin);
  return {
    [TracejudgeAttributes.FAILED]: names.size > 0,
    [TracejudgeAttributes.FAILED_NAMES]: [...names].sort(),
    ...(scores.length > 0 && { [TracejudgeAttributes.MIN_SCORE]: Math.min(...scores) }),
  };
}

/**
 * The status a span with failed evaluations gets with `events.failedSpanStatus`: ERROR with the
 * failed names, when its status is unset (or an earlier ERROR of ours, now with more names); the
 * app's own ERROR or OK is left alone. Undefined when nothing changes.
 */
export function failedSpanStatus(summary: Attributes, current: SpanStatus | undefined): SpanStatus | undefined {
  if (summary[TracejudgeAttributes.FAILED] !== true) return undefined;
  const ours = current === undefined || current.code === SpanStatusCode.UNSET || (current.code === SpanStatusCode.ERROR && current.message?.startsWith(STATUS_PREFIX) === true);
  if (!ours) return undefined;
  const names = summary[TracejudgeAttributes.FAILED_NAMES];
  return { code: SpanStatusCode.ERROR, message: `${STATUS_PREFIX}${Array.isArray(names) ? names.join(', ') : ''}` };
}
