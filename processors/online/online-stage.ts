import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import type { Evaluator, JudgeTarget } from '../../src/judge/evaluator.ts';
import { durationMs, resolveConversationKey, spanRecordFromReadable } from '../../src/model/index.ts';
import type { NormalizeOptions, SpanRecord, SpanView } from '../../src/model/index.ts';
import { TracejudgeAttributes } from '../../src/results/names.ts';
import type { EvaluationMetrics } from '../../src/results/metrics.ts';
import type { ResultSink } from '../../src/results/result-sink.ts';
import { decisionAttributes } from '../../src/sampling/index.ts';
import type { BudgetReservation, Decision, StratifiedSampler } from '../../src/sampling/index.ts';
import { endingViewOf } from '../ending-view.ts';
import { reportError } from '../report-error.ts';
import type { OutputMasking } from '../output-masking.ts';
import type { ForwardSpan, SpanStage } from '../span-stage.ts';
import { RecencyMap } from '../../src/model/recency-map.ts';
import { ConversationBuffer } from './conversation-buffer.ts';
import type { ConversationBufferLimits, ConversationState } from './conversation-buffer.ts';
import { HoldQueue } from './hold-queue.ts';
import type { HoldLimits } from './hold-queue.ts';
import { failure, JudgeRunner } from './judge-runner.ts';
import { ResultDelivery } from './result-delivery.ts';
import { checkFailedOn, estimateBytes, sumTokens } from './span-facts.ts';
import { turnRecordOf } from './turn-record.ts';

export type OnlineScope = 'conversation' | 'turn';

export interface OnlineStageOptions {
  readonly sampler: StratifiedSampler;
  /** The judge (or any Evaluator). Absent: sampling decisions only, nothing held or judged. */
  readonly evaluator?: Evaluator;
  /** `conversation` (default): judged once it ends; `turn`: each sampled turn with the history so far. */
  readonly scope?: OnlineScope;
  readonly hold?: Partial<HoldLimits>;
  /** A conversation with no turn for this long has ended (`conversations.idleTimeout`). Default 5 min. */
  readonly idleTimeoutMs?: number;
  readonly buffer?: Partial<ConversationBufferLimits>;
  /** Judgments in flight at once; beyond it judge work is shed (counted). Default 1000. */
  readonly maxJudgmentsInFlight?: number;
  /** Bound on one judgment (the LLM judge has its own deadline too). Default 120 s. */
  readonly judgeTimeoutMs?: number;
  /** How long shutdown / forceFlush wait for judgments in flight. Default 5 s. */
  readonly drainTimeoutMs?: number;
  /** The pipeline's trace → conversation map, for turns whose span does not name the conversation. */
  readonly conversationOfTrace?: (traceId: string) => string | undefined;
  readonly metrics?: EvaluationMetrics;
  /** Further destinations of judge results (review queue, JSON lines, webhook). */
  readonly sinks?: readonly ResultSink[];
  /** Judge results as span events (on the held span, else on `evaluate` child spans); default true (`events.spans`). */
  readonly spanEvents?: boolean;
  /** A held span whose judge results fail gets status ERROR (`events.failedSpanStatus`). */
  readonly failedSpanStatus?: boolean;
  /** The masking boundary for the judge's results (processors/output-masking.ts). */
  readonly masking?: OutputMasking;
  readonly normalize?: NormalizeOptions;
  /** Epoch ms clock. */
  readonly now?: () => number;
}

interface Plan {
  readonly key: string;
  readonly hold: boolean;
  readonly judge: boolean;
  readonly bytes: number;
}

const MAX_RESERVATIONS = 8;

/**
 * Online evaluation as a SpanStage (Issue 3 §3–§5): in `onEnding`, while the
 * turn span is writable, the conversation is sampled and the decision written
 * on it; in `onEnd`, spans whose results are due are held (bounded) while the
 * judge runs off the span path; results land as events on the held span, or on
 * an `evaluate {rubric}` child span past the deadline. No path drops a span.
 */
export class OnlineEvaluationStage implements SpanStage {
  readonly name = 'online-evaluation';
  readonly buffer: ConversationBuffer;
  readonly hold: HoldQueue;
  readonly #sampler: StratifiedSampler;
  readonly #runner: JudgeRunner | undefined;
  readonly #delivery: ResultDelivery;
  readonly #scope: OnlineScope;
  readonly #idleMs: number;
  readonly #drainMs: number;
  readonly #conversationOfTrace: (traceId: string) => string | undefined;
  readonly #metrics: EvaluationMetrics | undefined;
  readonly #masking: OutputMasking | undefined;
  readonly #normalize: NormalizeOptions | undefined;
  readonly #now: () => number;
  readonly #plans = new Map<string, Plan>();
  readonly #agentTraces = new RecencyMap<string, true>();
  readonly #candidates = new Map<string, string>();
  readonly #sweep: ReturnType<typeof setInterval>;
  #closed = false;
  errors = 0;

  constructor(options: OnlineStageOptions) {
    this.#sampler = options.sampler;
    this.#scope = options.scope ?? 'conversation';
    this.#idleMs = options.idleTimeoutMs ?? 300_000;
    this.#drainMs = options.drainTimeoutMs ?? 5_000;
    this.#conversationOfTrace = options.conversationOfTrace ?? (() => undefined);
    this.#metrics = options.metrics;
    this.#masking = options.masking;
    this.#normalize = options.normalize;
    this.#now = options.now ?? Date.now;
    this.buffer = new ConversationBuffer(options.buffer, (state) => this.#shedConversation(state, 'evicted'));
    this.hold = new HoldQueue(options.hold);
    this.#delivery = new ResultDelivery({
      hold: this.hold,
      sinks: options.sinks ?? [],
      metrics: options.metrics,
      now: this.#now,
      onError: (e) => this.#error('delivery', e),
      spanEvents: options.spanEvents ?? true,
      failedSpanStatus: options.failedSpanStatus ?? false,
      ...(options.masking && { masking: options.masking }),
    });
    this.#runner = options.evaluator
      ? new JudgeRunner(options.evaluator, { maxInFlight: options.maxJudgmentsInFlight ?? 1000, timeoutMs: options.judgeTimeoutMs ?? 120_000 })
      : undefined;
    this.#sweep = setInterval(() => this.sweepIdle(this.#now()), Math.max(50, Math.min(this.#idleMs / 4, 5_000)));
    this.#sweep.unref();
    options.metrics?.observe(() => ({ heldSpans: this.hold.size, openConversations: this.buffer.size, judgmentsInFlight: this.#runner?.inFlight ?? 0 }));
  }

  /** The processor hands over where spans this stage creates (evaluation child spans) go next. */
  attach(emit: ForwardSpan): void {
    this.#delivery.attach(emit);
  }

  onStart(span: Span): void {
    if (span.attributes['gen_ai.operation.name'] !== 'invoke_agent') return;
    const traceId = span.spanContext().traceId;
    if (this.#agentTraces.size >= this.buffer.limits.maxPendingTraces) this.#agentTraces.delete(this.#agentTraces.oldestKey() as string);
    this.#agentTraces.set(traceId, true);
  }

  onEnding(span: Span): void {
    if (this.#closed || span.attributes[TracejudgeAttributes.EVALUATION_SPAN] === true) return;
    // The inline stage has normalized this span already (same onEnding): read once.
    const view = endingViewOf(span, () => spanRecordFromReadable(span), this.#normalize);
    const record = view.span;
    const now = this.#now();
    const isTurn = view.operation === 'invoke_agent' || (view.operation === 'chat' && !this.#agentTraces.has(record.traceId));
    if (!isTurn) {
      const ended = this.buffer.conversationOfContainer(record.spanId);
      if (ended !== undefined) this.#conversationEnded(ended, now);
      else if (view.operation !== 'other') this.buffer.addChild(view, now);
      return;
    }
    const key = resolveConversationKey(view, this.#conversationOfTrace(record.traceId));
    const children = this.buffer.takeChildren(record.traceId);
    const spans = [view, ...children];
    const latencyMs = durationMs(record);
    const decision = this.#sampler.decide({ conversationId: key, spans, latencyMs, totalTokens: sumTokens(spans), checkFailed: checkFailedOn(spans), now });
    span.setAttributes(decisionAttributes(decision));
    // With the conversation (its id as results write it), so the turn's check results join its stratum.
    const cohort = this.#masking ? this.#masking.cohort(view.cohort) : view.cohort;
    this.#metrics?.decision(decision.stratum, decision.reason, decision.sampled, { conversationId: this.#masking?.conversationId(key) ?? key, cohort });
    if (!this.#runner) {
      if (decision.sampled) this.#sampler.budget.release(decision.reservation);
      return;
    }
    this.#planTurn(span, record, view, children, key, decision, latencyMs, now);
  }

  onEnd(span: ReadableSpan, forward: ForwardSpan): void {
    const spanId = span.spanContext().spanId;
    const plan = this.#plans.get(spanId);
    if (!plan) return forward(span);
    this.#plans.delete(spanId);
    const state = this.buffer.get(plan.key);
    if (this.#scope === 'conversation' && plan.hold) {
      // A newer turn with content: the earlier one is no longer the conversation's last, so its export need not wait
      // (unless its judgment is running). An end marker without content keeps it: the results go there.
      const previous = this.#candidates.get(plan.key);
      if (previous !== undefined && previous !== spanId && !state?.judging) this.hold.release(previous);
      this.#candidates.delete(plan.key);
    }
    if (plan.hold) {
      if (this.hold.hold(spanId, span, forward, plan.bytes)) {
        if (this.#scope === 'conversation') this.#candidates.set(plan.key, spanId);
      } else this.#metrics?.shed('hold_full');
    } else forward(span);
    if (plan.judge && state) this.#judge(state, this.#now());
  }

  /**
   * Conversations idle past the timeout have ended: judge the sampled ones, forget the rest.
   * Child spans that waited as long for a turn span are forgotten too.
   */
  sweepIdle(now: number): void {
    try {
      this.buffer.expirePending(now, this.#idleMs);
      for (const state of [...this.buffer.idle(now, this.#idleMs)]) {
        if (state.judging) continue;
        if (state.sampling && state.turns.length > state.judgedTurnCount && this.#scope === 'conversation') {
          this.#judge(state, now);
          this.buffer.refresh(state, now); // kept one more idle period, so a resumed conversation is recognised
        } else {
          this.buffer.forget(state, true);
          this.#candidates.delete(state.key);
          for (const reservation of state.reservations.splice(0)) this.#sampler.budget.release(reservation);
        }
      }
    } catch (error) {
      this.#error('idle sweep', error);
    }
  }

  stats() {
    return {
      heldSpans: this.hold.size,
      heldBytes: this.hold.bytes,
      /** Conversations whose last held turn span is remembered (bounded by the open conversations). */
      candidateSpans: this.#candidates.size,
      holdExpired: this.hold.expired,
      holdRefused: this.hold.refused,
      openConversations: this.buffer.size,
      /** Traces whose child spans ended before their turn span and wait for it. */
      pendingTraces: this.buffer.pendingTraces,
      judgmentsInFlight: this.#runner?.inFlight ?? 0,
      judgmentsStarted: this.#runner?.started ?? 0,
      lateAnswers: this.#runner?.lateAnswers ?? 0,
      shed: { ...this.#shedCounts },
      delivered: this.#delivery.counts(),
      buffer: { ...this.buffer.counters },
      errors: this.errors + (this.#runner?.deliveryErrors ?? 0),
    };
  }

  async forceFlush(): Promise<void> {
    await this.#runner?.drain(this.#drainMs);
    this.hold.releaseAll();
  }

  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const state of this.buffer.all()) if (!state.judging && state.sampling && state.turns.length > state.judgedTurnCount) this.#shedConversation(state, 'shutdown');
    await this.#runner?.drain(this.#drainMs);
    this.hold.releaseAll();
  }

  readonly #shedCounts: Record<string, number> = {};

  #planTurn(span: Span, record: SpanRecord, view: SpanView, children: SpanView[], key: string, decision: Decision, latencyMs: number, now: number): void {
    const origin = { spanContext: span.spanContext(), resource: span.resource, instrumentationScope: span.instrumentationScope };
    const endedAtMs = Number(record.endTimeUnixNano / 1_000_000n);
    const turn = turnRecordOf({ turn: view, children, origin, latencyMs, endedAtMs, maxValueChars: this.buffer.limits.maxValueChars });
    const state = this.buffer.addTurn(key, turn, view, record.parentSpanId, now);
    if (decision.sampled) {
      if (!state.sampling) {
        state.sampling = { stratum: decision.stratum, weight: decision.weight, reason: decision.reason };
        this.#metrics?.conversationSampled(decision.stratum, decision.reason);
      }
      if (state.reservations.length < MAX_RESERVATIONS) state.reservations.push(decision.reservation);
      else this.#sampler.budget.release(decision.reservation);
    }
    const bytes = estimateBytes(record);
    if (this.#scope === 'turn') {
      if (decision.sampled && turn.hasContent) this.#plans.set(record.spanId, { key, hold: true, judge: true, bytes });
      return;
    }
    if (!state.sampling) return;
    const ended = view.outcome.conversationEnded === true;
    if (turn.hasContent || ended) this.#plans.set(record.spanId, { key, hold: turn.hasContent, judge: ended, bytes });
  }

  #conversationEnded(key: string, now: number): void {
    const state = this.buffer.get(key);
    if (state?.sampling && this.#scope === 'conversation' && state.turns.length > state.judgedTurnCount) this.#judge(state, now);
  }

  #judge(state: ConversationState, now: number): void {
    const runner = this.#runner;
    if (!runner || state.judging || !state.sampling) return;
    let index = state.turns.length - 1;
    while (index > 0 && !state.turns[index].hasContent) index--;
    const evaluated = state.turns[index];
    if (!evaluated) return;
    const { spanContext } = evaluated.origin;
    const target: JudgeTarget = {
      conversationId: state.key,
      traceId: spanContext.traceId,
      spanId: spanContext.spanId,
      ...(evaluated.responseId !== undefined && { responseId: evaluated.responseId }),
      systemInstructions: state.systemInstructions,
      turns: state.turns.slice(0, index + 1).map((record) => record.turn),
      ...(state.retrievedContext.length > 0 && { retrievedContext: [...state.retrievedContext] }),
      outcome: { ...state.outcome },
      cohort: { ...state.cohort },
      sampling: { stratum: state.sampling.stratum, weight: state.sampling.weight },
    };
    const context = {
      conversationId: state.key,
      evaluationId: `${spanContext.spanId}@${now}`,
      ...(state.lastEvaluationId !== undefined && this.#scope === 'conversation' && { supersedes: state.lastEvaluationId }),
      ...(evaluated.responseId !== undefined && { responseId: evaluated.responseId }),
    };
    const reservations = this.#scope === 'conversation' ? state.reservations.splice(0) : state.reservations.splice(0, 1);
    const links = state.turns.map((record) => record.origin.spanContext);
    const delivery = { state, evaluated, context, links, startedMs: now };
    state.judgedTurnCount = state.turns.length;
    state.lastEvaluationId = context.evaluationId;
    const started = runner.run(target, (results) => {
      state.judging = false;
      this.#settleBudget(reservations, results);
      this.#delivery.deliver(results, delivery);
    });
    if (started) {
      state.judging = this.#scope === 'conversation';
      return;
    }
    this.#count('pending_full');
    this.#metrics?.shed('pending_full');
    for (const reservation of reservations) this.#sampler.budget.release(reservation);
    this.#delivery.deliver(failure(runner.resultNames(target), 'judge_queue_full', 'too many judgments in flight: work shed'), delivery);
  }

  #settleBudget(reservations: readonly BudgetReservation[], results: readonly { details?: Readonly<Record<string, unknown>> }[]): void {
    let cost = 0;
    for (const result of results) {
      const spent = result.details?.['judge.cost_usd'];
      if (typeof spent === 'number') cost += spent;
    }
    const [first, ...rest] = reservations;
    if (first) this.#sampler.budget.commit(first, cost);
    for (const reservation of rest) this.#sampler.budget.release(reservation);
  }

  #shedConversation(state: ConversationState, reason: 'evicted' | 'shutdown'): void {
    const candidate = this.#candidates.get(state.key);
    // Forgotten whatever happens next: an evicted conversation never comes back to clear its entry.
    this.#candidates.delete(state.key);
    if (!state.sampling || state.judging || state.turns.length <= state.judgedTurnCount) return;
    this.#count(reason);
    this.#metrics?.shed(reason);
    for (const reservation of state.reservations.splice(0)) this.#sampler.budget.release(reservation);
    if (candidate !== undefined) this.hold.release(candidate);
  }

  #count(reason: string): void {
    this.#shedCounts[reason] = (this.#shedCounts[reason] ?? 0) + 1;
  }

  #error(where: string, error: unknown): void {
    reportError(`tracejudge online ${where}`, error, ++this.errors);
  }
}
