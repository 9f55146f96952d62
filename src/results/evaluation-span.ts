import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, HrTime, Link, SpanContext } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import type { EvaluationResult } from '../model/evaluation-result.ts';
import { evaluationEventAttributes } from './event-attributes.ts';
import type { EvaluationEventExtras } from './event-attributes.ts';
import { EVALUATION_RESULT_EVENT, EVALUATION_SPAN_NAME_PREFIX, TracejudgeAttributes } from './names.ts';
import { GenAI } from '../model/attributes.ts';

/** What every judge result event of one judging carries besides the result itself. */
export interface JudgeResultContext {
  readonly conversationId: string;
  readonly evaluationId: string;
  readonly supersedes?: string;
  readonly responseId?: string;
}

export type ResultDelivery = 'span_event' | 'child_span';

/**
 * The `gen_ai.evaluation.result` events for these results, evaluated at `timeMs`. Stamped at
 * `stampAt` when given (a held span's end: Jaeger hides events outside their span's range, and a
 * judge answers after the span ended), the real time then kept in `tracejudge.evaluated_at`.
 */
export function resultEvents(
  results: readonly EvaluationResult[],
  context: JudgeResultContext,
  delivery: ResultDelivery,
  timeMs: number,
  stampAt?: HrTime,
): TimedEvent[] {
  const extras: EvaluationEventExtras = {
    ...(context.responseId !== undefined && { responseId: context.responseId }),
    attributes: {
      [TracejudgeAttributes.CONVERSATION_ID]: context.conversationId,
      [TracejudgeAttributes.EVALUATION_ID]: context.evaluationId,
      [TracejudgeAttributes.DELIVERY]: delivery,
      ...(context.supersedes !== undefined && { [TracejudgeAttributes.SUPERSEDES]: context.supersedes }),
      ...(stampAt !== undefined && { [TracejudgeAttributes.EVALUATED_AT]: new Date(timeMs).toISOString() }),
    },
  };
  const time = stampAt ?? hrTimeOf(timeMs);
  return results.map((result) => ({ name: EVALUATION_RESULT_EVENT, time, attributes: evaluationEventAttributes(result, extras), droppedAttributesCount: 0 }));
}

/** What an SDK span keeps of its limits (sdk-trace 3.1 SpanImpl); absent on other ReadableSpans. */
interface SdkSpanInternals {
  readonly _spanLimits?: { readonly eventCountLimit?: number };
  _droppedEventsCount?: number;
}

/**
 * Adds events to a span that has ended but is still held (not yet forwarded).
 * The SDK span's `events` is the array its exporter reads (sdk-trace 3.1
 * Span.events, returned as is to processors), so what is appended before
 * `forward` is exported with the span. The span's event limit holds as it does
 * for `addEvent`, which an ended span refuses: past it the oldest event goes
 * and `droppedEventsCount` says so (exported as `dropped_events_count`).
 */
export function appendEvents(span: ReadableSpan, events: readonly TimedEvent[]): void {
  const internals = span as ReadableSpan & SdkSpanInternals;
  const limit = internals._spanLimits?.eventCountLimit;
  for (const event of events) {
    if (limit !== undefined && span.events.length >= limit) {
      if (typeof internals._droppedEventsCount === 'number') internals._droppedEventsCount++;
      if (limit <= 0) continue;
      span.events.shift();
    }
    span.events.push(event);
  }
}

/** Where a child span goes: the evaluated span's context, resource and scope. */
export interface EvaluatedSpanRef {
  readonly spanContext: SpanContext;
  readonly resource?: unknown;
}

export interface ChildSpanInit {
  readonly parent: EvaluatedSpanRef;
  /** The rubric or evaluation name: the span is `evaluate {name}`. */
  readonly name: string;
  readonly conversationId: string;
  /** Every turn span of the conversation, so a trace viewer can jump to them. */
  readonly links: readonly SpanContext[];
  readonly events: readonly TimedEvent[];
  readonly startMs: number;
  readonly endMs: number;
  readonly failed: boolean;
}

const SCOPE = { name: 'tracejudge' };

/**
 * The child span that carries judge results past the hold deadline (DESIGN.md
 * "Where judge results land"): in the evaluated span's trace, parented to it,
 * linked to the conversation's turns, with `gen_ai.conversation.id`. Built as
 * a finished ReadableSpan and handed to the export chain directly, not through
 * a Tracer: it then cannot be lost to a no-op global provider, and it never
 * re-enters the evaluation stages (it is not an agent span).
 */
export function evaluationChildSpan(init: ChildSpanInit): ReadableSpan {
  const parentContext = init.parent.spanContext;
  const spanContext: SpanContext = { traceId: parentContext.traceId, spanId: randomBytes(8).toString('hex'), traceFlags: parentContext.traceFlags };
  const attributes: Attributes = {
    [GenAI.CONVERSATION_ID]: init.conversationId,
    [TracejudgeAttributes.EVALUATION_SPAN]: true,
  };
  const links: Link[] = init.links.slice(0, 128).map((context) => ({ context, attributes: {} }));
  const startTime = hrTimeOf(init.startMs);
  const endTime = hrTimeOf(Math.max(init.endMs, init.startMs));
  const durationMs = Math.max(0, init.endMs - init.startMs);
  return {
    name: `${EVALUATION_SPAN_NAME_PREFIX}${init.name}`,
    kind: SpanKind.INTERNAL,
    spanContext: () => spanContext,
    parentSpanContext: parentContext,
    startTime,
    endTime,
    duration: hrTimeOf(durationMs),
    status: init.failed ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.UNSET },
    attributes,
    links,
    events: [...init.events],
    ended: true,
    resource: isResource(init.parent.resource) ? init.parent.resource : emptyResource(),
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: Math.max(0, init.links.length - links.length),
  };
}

function isResource(value: unknown): value is Resource {
  return typeof value === 'object' && value !== null && 'attributes' in value && typeof (value as Resource).merge === 'function';
}

function hrTimeOf(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}
