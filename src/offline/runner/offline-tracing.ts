import { context, trace } from '@opentelemetry/api';
import type { Context, TracerProvider as ApiTracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { otlpTraceExporterFromEnv } from '../../../instrumentation/index.ts';
import { EvaluationSpanProcessor } from '../../../processors/index.ts';
import type { EvaluationPipelineOptions } from '../../../processors/index.ts';
import { RunTraceCollector } from '../run-trace.ts';

/** Forwards to whichever chain the current experiment installed (or nowhere). */
class SwitchProcessor implements SpanProcessor {
  target: SpanProcessor | undefined;
  onStart(span: Span, parent: Context): void {
    this.target?.onStart(span, parent);
  }
  onEnding(span: Span): void {
    this.target?.onEnding?.(span);
  }
  onEnd(span: ReadableSpan): void {
    this.target?.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await this.target?.forceFlush();
  }
  async shutdown(): Promise<void> {
    await this.target?.shutdown();
  }
}

let shared: { provider: TracerProvider; switch: SwitchProcessor } | undefined;

/**
 * One TracerProvider per process, registered as the global one (with the
 * AsyncLocalStorage context manager NodeSDK would install), so an agent module
 * that instrumented its client at import time is traced too. Each experiment
 * plugs its own chain in: EvaluationSpanProcessor (every row, no sampling) →
 * RunTraceCollector → OTLP exporter when OTEL_EXPORTER_OTLP_* is set.
 */
function sharedProvider(): { provider: TracerProvider; switch: SwitchProcessor } {
  if (shared) return shared;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const switcher = new SwitchProcessor();
  const provider = new TracerProvider({ spanProcessors: [switcher] });
  trace.setGlobalTracerProvider(provider);
  shared = { provider, switch: switcher };
  return shared;
}

export interface OfflineTracing {
  readonly tracerProvider: ApiTracerProvider;
  readonly collector: RunTraceCollector;
  readonly evaluation: EvaluationSpanProcessor;
  close(): Promise<void>;
}

function otlpConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** `transcripts`: keep each run's conversation for a judge (RunTrace.transcript). */
export function startOfflineTracing(pipeline: EvaluationPipelineOptions = {}, env = process.env, options: { readonly transcripts?: boolean } = {}): OfflineTracing {
  const { provider, switch: switcher } = sharedProvider();
  const exportTo = otlpConfigured(env) ? new BatchSpanProcessor({ exporter: otlpTraceExporterFromEnv() }) : undefined;
  const collector = new RunTraceCollector(exportTo, options);
  const evaluation = new EvaluationSpanProcessor({ ...pipeline, downstream: collector });
  switcher.target = evaluation;
  return {
    tracerProvider: provider,
    collector,
    evaluation,
    async close() {
      await evaluation.forceFlush();
      if (switcher.target === evaluation) switcher.target = undefined;
      await evaluation.shutdown();
    },
  };
}
