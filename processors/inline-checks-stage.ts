import type { Span } from '@opentelemetry/sdk-trace';
import { spanRecordFromReadable } from '../src/model/index.ts';
import type { EvaluationPipeline } from './evaluation-pipeline.ts';
import type { SpanStage } from './span-stage.ts';
import { resultEventTime } from '../src/results/event-time.ts';

/**
 * Runs the inline evaluation pipeline inside the SDK: learns the conversation
 * at span start, and checks the span in `onEnding`, while it can still take
 * events, so results travel with the span in the same export.
 */
export class InlineChecksStage implements SpanStage {
  readonly name = 'inline-checks';
  readonly pipeline: EvaluationPipeline;

  constructor(pipeline: EvaluationPipeline) {
    this.pipeline = pipeline;
  }

  onStart(span: Span): void {
    const context = span.spanContext();
    const parentSpanId = span.parentSpanContext?.spanId;
    this.pipeline.noteStart({
      traceId: context.traceId,
      spanId: context.spanId,
      ...(parentSpanId !== undefined && { parentSpanId }),
      attributes: span.attributes,
    });
  }

  onEnding(span: Span): void {
    // Stamped at the span's end: `addEvent` would stamp them now, just after it, where Jaeger hides them.
    this.pipeline.onEnding(spanRecordFromReadable(span), span, resultEventTime(span.startTime, span.endTime));
  }
}
