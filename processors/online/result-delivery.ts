import type { SpanContext, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { OtlpReadableSpan } from '../../src/otlp/index.ts';
import type { EvaluationResult } from '../../src/model/evaluation-result.ts';
import { appendEvents, evaluationChildSpan, resultEvents } from '../../src/results/evaluation-span.ts';
import { evaluationSummary, failedSpanStatus } from '../../src/results/evaluation-summary.ts';
import { resultEventTime } from '../../src/results/event-time.ts';
import type { JudgeResultContext } from '../../src/results/evaluation-span.ts';
import type { EvaluationMetrics } from '../../src/results/metrics.ts';
import type { EvaluationTarget, ResultSink } from '../../src/results/result-sink.ts';
import type { OutputMasking } from '../output-masking.ts';
import type { ForwardSpan } from '../span-stage.ts';
import type { ConversationState } from './conversation-buffer.ts';
import { snapshotOfState } from './conversation-snapshot.ts';
import type { HoldQueue } from './hold-queue.ts';
import type { TurnRecord } from './turn-record.ts';

export interface DeliveryRequest {
  readonly state: ConversationState;
  readonly evaluated: TurnRecord;
  readonly context: JudgeResultContext;
  /** Every turn span of the conversation, linked from a child span. */
  readonly links: readonly SpanContext[];
  readonly startedMs: number;
}

export interface ResultDeliveryOptions {
  readonly hold: HoldQueue;
  readonly sinks: readonly ResultSink[];
  readonly metrics: EvaluationMetrics | undefined;
  readonly now: () => number;
  readonly onError: (error: unknown) => void;
  /** False (`events.spans: false`): results reach the sinks (log events among them) only; held spans are released bare. */
  readonly spanEvents?: boolean;
  readonly failedSpanStatus?: boolean;
  /** Masks what is written (the judge's explanations, conversation ids carrying personal data) before events and sinks. */
  readonly masking?: OutputMasking;
}

/**
 * Where judge results land (DESIGN.md): as events on the evaluated span while
 * it is held (then it is forwarded), else on an `evaluate {name}` child span
 * per result name. Then the sinks (review, files, webhooks) and metrics.
 */
export class ResultDelivery {
  readonly #options: ResultDeliveryOptions;
  #emit: ForwardSpan | undefined;
  #onSpan = 0;
  #onChild = 0;
  #unrouted = 0;
  readonly #errorTypes: Record<string, number> = {};

  constructor(options: ResultDeliveryOptions) {
    this.#options = options;
  }

  attach(emit: ForwardSpan): void {
    this.#emit = emit;
  }

  /** Results delivered as span events / on child spans (one child span per result name), results with nowhere to go, errors by type. */
  counts(): { spanEvents: number; childSpans: number; unrouted: number; errors: Record<string, number> } {
    return { spanEvents: this.#onSpan, childSpans: this.#onChild, unrouted: this.#unrouted, errors: { ...this.#errorTypes } };
  }

  deliver(judged: readonly EvaluationResult[], original: DeliveryRequest): void {
    const { hold, now, masking } = this.#options;
    // Written from here on: masked first (a judge may quote the transcript).
    const results = masking === undefined ? judged : masking.results(judged);
    const request: DeliveryRequest =
      masking === undefined ? original : { ...original, context: { ...original.context, conversationId: masking.conversationId(original.context.conversationId) } };
    const spanId = request.evaluated.origin.spanContext.spanId;
    for (const result of results) if (result.error) this.#errorTypes[result.error.type] = (this.#errorTypes[result.error.type] ?? 0) + 1;
    try {
      const time = now();
      const held = hold.take(spanId);
      if (this.#options.spanEvents === false) {
        if (held) held.forward(held.span);
      } else if (held) {
        try {
          // Stamped at the span's end (as a whole µs: event-time.ts), so the results lie within it; the real time in tracejudge.evaluated_at.
          if (results.length > 0) {
            appendEvents(held.span, resultEvents(results, request.context, 'span_event', time, resultEventTime(held.span.startTime, held.span.endTime)));
            // The span's own summary too (an ended span takes no setAttribute: its attributes object is what is exported).
            const summary = evaluationSummary(held.span.attributes, results);
            if (summary) Object.assign(held.span.attributes as Record<string, unknown>, summary);
            const status = summary && this.#options.failedSpanStatus ? failedSpanStatus(summary, held.span.status) : undefined;
            if (status) writeEndedStatus(held.span, status);
          }
          this.#onSpan += results.length;
        } finally {
          held.forward(held.span);
        }
      } else if (results.length > 0) {
        this.#toChildSpans(results, request, time);
      }
    } catch (error) {
      this.#options.onError(error);
    }
    this.#toSinks(results, request);
  }

  #toChildSpans(results: readonly EvaluationResult[], request: DeliveryRequest, time: number): void {
    const emit = this.#emit;
    if (!emit) {
      // Only when the stage runs outside a processor that attached it: the span itself flowed on.
      this.#unrouted += results.length;
      return;
    }
    const byName = new Map<string, EvaluationResult[]>();
    for (const result of results) byName.set(result.name, [...(byName.get(result.name) ?? []), result]);
    for (const [name, group] of byName) {
      emit(
        evaluationChildSpan({
          parent: { spanContext: request.evaluated.origin.spanContext, resource: request.evaluated.origin.resource },
          name,
          conversationId: request.context.conversationId,
          links: request.links,
          events: resultEvents(group, request.context, 'child_span', time),
          startMs: request.startedMs,
          endMs: time,
          failed: group.every((result) => result.error !== undefined),
        }),
      );
      this.#onChild += group.length;
    }
  }

  #toSinks(results: readonly EvaluationResult[], request: DeliveryRequest): void {
    const { state, evaluated, context } = request;
    const spanId = evaluated.origin.spanContext.spanId;
    let target: EvaluationTarget = {
      conversationId: context.conversationId,
      traceId: evaluated.origin.spanContext.traceId,
      spanId,
      ...(context.responseId !== undefined && { responseId: context.responseId }),
      spanEndedAt: evaluated.endedAtMs,
    };
    try {
      // Taken now, from the state in hand: by the time a sink writes (the store batches), the
      // buffer may have forgotten the conversation, and a lookup then found nothing (stored as
      // stratum `unsampled`, weight 1, no cohort, no user messages).
      target = { ...target, conversation: snapshotOfState(state, spanId, this.#options.masking) };
    } catch (error) {
      this.#options.onError(error);
    }
    try {
      // The judge's own bounded queue shed these: judge work, counted with the stage's own shedding.
      for (const result of results) if (result.error?.type === 'judge_queue_full') this.#options.metrics?.shed('judge_queue_full');
      this.#options.metrics?.record(results, { ...(state.sampling && { stratum: state.sampling.stratum, weight: state.sampling.weight }), cohort: state.cohort });
    } catch (error) {
      this.#options.onError(error);
    }
    for (const sink of this.#options.sinks) {
      try {
        const written = sink.write(results, target);
        if (written instanceof Promise) written.catch(this.#options.onError);
      } catch (error) {
        this.#options.onError(error);
      }
    }
  }
}

/**
 * The status of a span that has ended: a decoded OTLP span takes `setStatus`; an ended SDK span
 * ignores it (and warns), and its `status` field is what its exporter reads.
 */
function writeEndedStatus(span: ReadableSpan, status: SpanStatus): void {
  if (span instanceof OtlpReadableSpan) span.setStatus(status);
  else (span as { status: SpanStatus }).status = status;
}
