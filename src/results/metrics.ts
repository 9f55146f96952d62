import { metrics } from '@opentelemetry/api';
import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import type { EvaluationResult } from '../model/evaluation-result.ts';
import { EvaluationAttributes, MetricAttributes, MetricNames } from './names.ts';
import type { EvaluationTarget, ResultSink } from './result-sink.ts';
import { ConversationStrata } from './conversation-strata.ts';

export interface EvaluationMetricsOptions {
  /** Default: `metrics.getMeter('tracejudge')` (the global MeterProvider). */
  readonly meter?: Meter;
  /** Cohort attributes (e.g. `app.vertical`, `app.language`) added to score metrics; none by default. */
  readonly cohortAttributes?: readonly string[];
  /** Distinct values kept per cohort attribute; later values are recorded as `other` (bounded cardinality). */
  readonly maxValuesPerCohortAttribute?: number;
  /** How a cohort value is written as a label value (the online stage: a keyed hash when it carries personal data). */
  readonly labelValue?: (value: string) => string;
  /**
   * Inline check results wait for their conversation's sampling decision (`decision` with the
   * conversation) and are recorded in its stratum, like the judge's (the online stage); else under `all`.
   */
  readonly checksByStratum?: boolean;
}

/** The conversation a sampling decision was made for: its id as written, and its cohort. */
export interface DecidedConversation {
  readonly conversationId: string;
  readonly cohort: Readonly<Record<string, string>>;
}

/** How a result was sampled and which cohort it belongs to: what reweighting needs. */
export interface ResultContext {
  readonly stratum?: string;
  /** Horvitz–Thompson weight 1/rate of the sampled conversation; 1 for results on every span. */
  readonly weight?: number;
  readonly cohort?: Readonly<Record<string, string>>;
}

export type ShedReason = 'judge_queue_full' | 'pending_full' | 'hold_full' | 'evicted' | 'shutdown' | 'late_result';

const OTHER = 'other';

/**
 * Evaluation telemetry through the OTel metrics API. Scores go to a histogram
 * and, weighted, to two sums so PromQL can reweight the sample:
 * `sum(weighted_score) / sum(weight)` by cohort is the population mean
 * estimate (each sampled result counts 1/rate times). Cohort labels are an
 * explicit list with a cap on distinct values, so cardinality is bounded.
 * As a ResultSink it counts inline check results (replies checked, failures).
 */
export class EvaluationMetrics implements ResultSink {
  readonly #cohortAttributes: readonly string[];
  readonly #labelValue: ((value: string) => string) | undefined;
  readonly #maxValues: number;
  readonly #strata: ConversationStrata | undefined;
  readonly #seenValues = new Map<string, Set<string>>();
  readonly #score: Histogram;
  readonly #weightedScore: Counter;
  readonly #weight: Counter;
  readonly #results: Counter;
  readonly #repliesChecked: Counter;
  readonly #checksFailed: Counter;
  readonly #decisions: Counter;
  readonly #conversationsSampled: Counter;
  readonly #judgeCalls: Counter;
  readonly #errors: Counter;
  readonly #tokens: Counter;
  readonly #cost: Counter;
  readonly #shed: Counter;
  readonly #lowScores: Counter;
  readonly meter: Meter;

  constructor(options: EvaluationMetricsOptions = {}) {
    const meter = (this.meter = options.meter ?? metrics.getMeter('tracejudge'));
    this.#cohortAttributes = options.cohortAttributes ?? [];
    this.#labelValue = options.labelValue;
    this.#maxValues = options.maxValuesPerCohortAttribute ?? 20;
    this.#strata = options.checksByStratum ? new ConversationStrata((results, context) => this.record(results, context)) : undefined;
    this.#score = meter.createHistogram(MetricNames.SCORE, {
      description: 'Evaluation scores (0..1, 1 is best) by evaluation name, stratum and cohort',
      unit: '1',
      advice: { explicitBucketBoundaries: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] },
    });
    this.#weightedScore = meter.createCounter(MetricNames.WEIGHTED_SCORE, { description: 'Σ score × sampling weight (reweighting numerator)', unit: '1' });
    this.#weight = meter.createCounter(MetricNames.WEIGHT, { description: 'Σ sampling weight of scored results (reweighting denominator)', unit: '1' });
    this.#results = meter.createCounter(MetricNames.RESULTS, { description: 'Evaluation results by name, label and source' });
    this.#repliesChecked = meter.createCounter(MetricNames.REPLIES_CHECKED, { description: 'Replies the inline checks ran on' });
    this.#checksFailed = meter.createCounter(MetricNames.CHECKS_FAILED, { description: 'Inline check results labelled fail, by check name' });
    this.#decisions = meter.createCounter(MetricNames.SAMPLING_DECISIONS, { description: 'Sampling decisions per turn, by stratum, reason and outcome' });
    this.#conversationsSampled = meter.createCounter(MetricNames.CONVERSATIONS_SAMPLED, { description: 'Conversations sampled for the judge, by stratum and reason' });
    this.#judgeCalls = meter.createCounter(MetricNames.JUDGE_CALLS, { description: 'Judge results, by evaluation name and outcome (ok or error)' });
    this.#errors = meter.createCounter(MetricNames.ERRORS, { description: 'Evaluations that failed, by error.type' });
    this.#tokens = meter.createCounter(MetricNames.JUDGE_TOKENS, { description: 'Judge tokens, by type (input, output)', unit: '{token}' });
    this.#cost = meter.createCounter(MetricNames.JUDGE_COST, { description: 'Judge spend', unit: 'USD' });
    this.#shed = meter.createCounter(MetricNames.SHED, { description: 'Judge work shed (never spans), by reason' });
    this.#lowScores = meter.createCounter(MetricNames.LOW_SCORES, { description: 'Results routed to review (low score or failed check)' });
  }

  /** ResultSink: inline check results of one reply (on every span: weight 1), in the conversation's stratum once decided. */
  write(results: readonly EvaluationResult[], target?: EvaluationTarget): void {
    if (results.length === 0) return;
    this.#repliesChecked.add(1);
    if (this.#strata && target) this.#strata.add(target.conversationId, results, target.cohort);
    else this.record(results, { ...(target?.cohort && { cohort: target.cohort }) });
  }

  /** Check results still waiting for their conversation's decision are recorded as `undecided` (shutdown). */
  flushUndecided(): void {
    this.#strata?.releaseAll();
  }

  /** Any results (checks or judge) with their sampling context. */
  record(results: readonly EvaluationResult[], context: ResultContext): void {
    const weight = context.weight !== undefined && Number.isFinite(context.weight) && context.weight > 0 ? context.weight : 1;
    for (const result of results) {
      const source = String(result.source);
      const base: Attributes = { [EvaluationAttributes.NAME]: result.name, [MetricAttributes.SOURCE]: source };
      this.#results.add(1, { ...base, [EvaluationAttributes.SCORE_LABEL]: result.error ? 'error' : (result.label ?? 'none') });
      if (source === 'judge') this.#judgeCalls.add(1, { [EvaluationAttributes.NAME]: result.name, outcome: result.error ? 'error' : 'ok' });
      if (result.error) {
        this.#errors.add(1, { ...base, [EvaluationAttributes.ERROR_TYPE]: result.error.type });
        continue;
      }
      if (source === 'deterministic' && result.label === 'fail') this.#checksFailed.add(1, { [EvaluationAttributes.NAME]: result.name });
      this.#recordSpend(result);
      if (typeof result.score !== 'number' || !Number.isFinite(result.score)) continue;
      const attributes = { ...base, [MetricAttributes.STRATUM]: context.stratum ?? 'all', ...this.#cohortLabels(context.cohort) };
      this.#score.record(result.score, attributes);
      this.#weightedScore.add(result.score * weight, attributes);
      this.#weight.add(weight, attributes);
    }
  }

  decision(stratum: string, reason: string, sampled: boolean, conversation?: DecidedConversation): void {
    this.#decisions.add(1, { [MetricAttributes.STRATUM]: stratum, [MetricAttributes.REASON]: reason, [MetricAttributes.SAMPLED]: sampled });
    if (conversation) this.#strata?.decided(conversation.conversationId, { stratum, cohort: conversation.cohort });
  }

  conversationSampled(stratum: string, reason: string): void {
    this.#conversationsSampled.add(1, { [MetricAttributes.STRATUM]: stratum, [MetricAttributes.REASON]: reason });
  }

  shed(reason: ShedReason, count = 1): void {
    this.#shed.add(count, { [MetricAttributes.SHED_REASON]: reason });
  }

  lowScore(name: string): void {
    this.#lowScores.add(1, { [EvaluationAttributes.NAME]: name });
  }

  /** Gauges read at collection time (held spans, open conversations, judgments in flight). */
  observe(read: () => { heldSpans: number; openConversations: number; judgmentsInFlight: number }): void {
    const held = this.meter.createObservableGauge(MetricNames.HELD_SPANS, { description: 'Spans whose export waits for judge results' });
    const open = this.meter.createObservableGauge(MetricNames.OPEN_CONVERSATIONS, { description: 'Conversations in the online buffer' });
    const inFlight = this.meter.createObservableGauge(MetricNames.JUDGMENTS_IN_FLIGHT, { description: 'Judgments started and not yet answered' });
    this.meter.addBatchObservableCallback(
      (observer) => {
        const now = read();
        observer.observe(held, now.heldSpans);
        observer.observe(open, now.openConversations);
        observer.observe(inFlight, now.judgmentsInFlight);
      },
      [held, open, inFlight],
    );
  }

  #recordSpend(result: EvaluationResult): void {
    const details = result.details;
    if (!details || result.source !== 'judge') return;
    const input = details['judge.input_tokens'];
    const output = details['judge.output_tokens'];
    const cost = details['judge.cost_usd'];
    if (typeof input === 'number' && input > 0) this.#tokens.add(input, { [MetricAttributes.TOKEN_TYPE]: 'input' });
    if (typeof output === 'number' && output > 0) this.#tokens.add(output, { [MetricAttributes.TOKEN_TYPE]: 'output' });
    if (typeof cost === 'number' && cost > 0) this.#cost.add(cost);
  }

  #cohortLabels(cohort: Readonly<Record<string, string>> | undefined): Attributes {
    const labels: Attributes = {};
    for (const name of this.#cohortAttributes) {
      const value = cohort?.[name];
      if (value === undefined) continue;
      let seen = this.#seenValues.get(name);
      if (!seen) this.#seenValues.set(name, (seen = new Set()));
      if (!seen.has(value) && seen.size < this.#maxValues) seen.add(value);
      labels[name] = seen.has(value) ? (this.#labelValue ? this.#labelValue(value) : value) : OTHER;
    }
    return labels;
  }
}
