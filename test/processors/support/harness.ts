import type { Attributes } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { EvaluationSpanProcessor } from '../../../processors/index.ts';
import type { EvaluationSpanProcessorOptions } from '../../../processors/index.ts';

export interface Harness {
  readonly provider: TracerProvider;
  readonly exporter: InMemorySpanExporter;
  readonly processor: EvaluationSpanProcessor;
  readonly tracer: ReturnType<TracerProvider['getTracer']>;
  spans(): ReadableSpan[];
  span(spanId: string): ReadableSpan;
  /** `gen_ai.evaluation.result` events of one span, as their attribute maps. */
  results(spanId: string): Attributes[];
  /** Every `gen_ai.evaluation.result` event exported, with the span it is on. */
  allResults(): { spanId: string; attributes: Attributes }[];
}

/** The real SDK: TracerProvider → EvaluationSpanProcessor → SimpleSpanProcessor → InMemorySpanExporter. */
export function sdkHarness(options: Omit<EvaluationSpanProcessorOptions, 'downstream'> = {}): Harness {
  const exporter = new InMemorySpanExporter();
  const processor = new EvaluationSpanProcessor({ ...options, downstream: new SimpleSpanProcessor({ exporter }) });
  const provider = new TracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('test-agent');
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  const span = (spanId: string): ReadableSpan => {
    const found = spans().find((candidate) => candidate.spanContext().spanId === spanId);
    if (!found) throw new Error(`span ${spanId} was not exported`);
    return found;
  };
  return {
    provider,
    exporter,
    processor,
    tracer,
    spans,
    span,
    results: (spanId) => evaluationEvents(span(spanId).events),
    allResults: () =>
      spans().flatMap((exported) =>
        evaluationEvents(exported.events).map((attributes) => ({ spanId: exported.spanContext().spanId, attributes })),
      ),
  };
}

export function evaluationEvents(events: readonly TimedEvent[]): Attributes[] {
  return events.filter((event) => event.name === 'gen_ai.evaluation.result').map((event) => event.attributes ?? {});
}

export function resultNamed(results: readonly Attributes[], name: string): Attributes {
  const found = results.find((attributes) => attributes['gen_ai.evaluation.name'] === name);
  if (!found) throw new Error(`no ${name} result among ${JSON.stringify(results)}`);
  return found;
}
