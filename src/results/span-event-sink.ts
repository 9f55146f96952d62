import type { Attributes, HrTime, SpanStatus } from '@opentelemetry/api';
import type { EvaluationResult } from '../model/evaluation-result.ts';
import { evaluationEventAttributes } from './event-attributes.ts';
import { evaluationSummary, failedSpanStatus } from './evaluation-summary.ts';
import type { EvaluationEventExtras } from './event-attributes.ts';
import { CONTENT_PROBLEM_EVENT, EVALUATION_RESULT_EVENT, TracejudgeAttributes } from './names.ts';
import type { EvaluationTarget, ResultSink } from './result-sink.ts';

/**
 * A span that still accepts events: an SDK span inside `onEnding`, or a
 * decoded OTLP span in collector mode before it is forwarded. An OTel API
 * `Span` satisfies it.
 */
export interface MutableSpanTarget {
  addEvent(name: string, attributes: Attributes, time?: HrTime): void;
  /** With both, the span also gets the summary of its evaluations (`tracejudge.evaluation.failed`, …). */
  setAttribute?(key: string, value: Attributes[string]): unknown;
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** With `failedSpanStatus`, a span with a failed evaluation gets ERROR (see evaluation-summary.ts). */
  setStatus?(status: SpanStatus): unknown;
  readonly status?: SpanStatus;
}

/** Problems listed on one event; the rest are counted, not listed (events are not logs). */
const MAX_LISTED_PROBLEMS = 10;

/**
 * Writes each result as a `gen_ai.evaluation.result` event on the evaluated
 * span itself, which is where Jaeger and Tempo show it (REFERENCE.md, "The
 * evaluation event"). Bound to one span: make one per span being written.
 */
export class SpanEventSink implements ResultSink {
  readonly #span: MutableSpanTarget;
  readonly #attributes: EvaluationEventExtras['attributes'];
  readonly #time: HrTime | undefined;
  readonly #failedSpanStatus: boolean;

  /**
   * `attributes` go on every event of this span, as `tracejudge.<key>`. `time` stamps the events
   * (an SDK span's end: its `addEvent` would stamp them now, after the end, where Jaeger hides
   * them); without it the target stamps them (a decoded OTLP span: at its end).
   */
  constructor(span: MutableSpanTarget, attributes?: EvaluationEventExtras['attributes'], time?: HrTime, options: { failedSpanStatus?: boolean } = {}) {
    this.#span = span;
    this.#attributes = attributes;
    this.#time = time;
    this.#failedSpanStatus = options.failedSpanStatus ?? false;
  }

  write(results: readonly EvaluationResult[], target: EvaluationTarget): void {
    if (results.length === 0) return;
    const extras: EvaluationEventExtras = {
      ...(target.responseId !== undefined && { responseId: target.responseId }),
      attributes: { [TracejudgeAttributes.CONVERSATION_ID]: target.conversationId, ...this.#attributes },
    };
    const time = this.#time;
    for (const result of results) {
      if (time === undefined) this.#span.addEvent(EVALUATION_RESULT_EVENT, evaluationEventAttributes(result, extras));
      else this.#span.addEvent(EVALUATION_RESULT_EVENT, evaluationEventAttributes(result, extras), time);
    }
    const span = this.#span;
    if (typeof span.setAttribute !== 'function') return;
    const summary = evaluationSummary(span.attributes ?? {}, results);
    if (!summary) return;
    for (const key of Object.keys(summary)) span.setAttribute(key, summary[key]);
    const status = this.#failedSpanStatus ? failedSpanStatus(summary, span.status) : undefined;
    if (status) span.setStatus?.(status);
  }

  /** Says on the span why its content could not be (fully) read. */
  writeProblems(problems: readonly string[]): void {
    if (problems.length === 0) return;
    if (this.#time === undefined) this.#span.addEvent(CONTENT_PROBLEM_EVENT, contentProblemAttributes(problems));
    else this.#span.addEvent(CONTENT_PROBLEM_EVENT, contentProblemAttributes(problems), this.#time);
  }
}

export function contentProblemAttributes(problems: readonly string[]): Attributes {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`…and ${problems.length - MAX_LISTED_PROBLEMS} more`);
  return { [TracejudgeAttributes.SPAN_PROBLEMS]: listed };
}
