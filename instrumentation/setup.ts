import type { Attributes } from '@opentelemetry/api';
import { getStringFromEnv } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import type { BatchSpanProcessorOptions, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { describeType } from './app-attributes.ts';
import { logRecordProcessorsFromEnv, otlpTraceExporterFromEnv } from './otlp-exporter.ts';

export interface TracejudgeSetupOptions {
  /** `service.name` of the resource. */
  readonly serviceName: string;
  readonly resourceAttributes?: Attributes;
  /** Where spans finally go. Default: {@link otlpTraceExporterFromEnv}. */
  readonly exporter?: SpanExporter;
  /** Options of the downstream BatchSpanProcessor (3.x does not read `OTEL_BSP_*`). */
  readonly batch?: Omit<BatchSpanProcessorOptions, 'exporter'>;
  /**
   * The processor chain, given the downstream BatchSpanProcessor over the
   * exporter: e.g. `(downstream) => [new EvaluationSpanProcessor({ downstream })]`.
   * The processors returned own `downstream`: they forward spans to it. Default:
   * `(downstream) => [downstream]`.
   */
  readonly spanProcessors?: (downstream: SpanProcessor) => SpanProcessor[];
  /**
   * Log record processors that read what the app's instrumentations log, placed before the ones
   * that export it (tracejudge's GenAIContentLogProcessor): the LoggerProvider is then always
   * set up, exporting only as `sdk.logRecordProcessors` or `OTEL_LOGS_EXPORTER` say.
   */
  readonly readingLogProcessors?: readonly LogRecordProcessor[];
  /** Anything else for NodeSDK (instrumentations, sampler, metricReaders…). */
  readonly sdk?: Omit<Partial<NodeSDKConfiguration>, 'spanProcessors' | 'traceExporter' | 'serviceName'>;
}

export interface TracejudgeSetup {
  readonly sdk: NodeSDK;
  readonly exporter: SpanExporter;
  readonly downstream: SpanProcessor;
  readonly spanProcessors: readonly SpanProcessor[];
  /** Flushes the chain in order, then the downstream exporter. */
  forceFlush(): Promise<void>;
  /** Shuts the SDK down (flushing spans), then the downstream processor. */
  shutdown(): Promise<void>;
}

export class TracejudgeSetupError extends Error {
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, expected: string, value: unknown) {
    super(`setupTracejudge: "${field}" must be ${expected}, got ${describeType(value)}`);
    this.name = 'TracejudgeSetupError';
    this.field = field;
    this.value = value;
  }
}

/**
 * Builds and starts a NodeSDK whose traces go through `spanProcessors(downstream)`
 * to an OTLP exporter. Configuration mistakes throw {@link TracejudgeSetupError}
 * here, at startup, never later in the telemetry path.
 *
 * Metrics and logs: NodeSDK would default both to OTLP; a tracejudge setup only
 * builds them when `OTEL_METRICS_EXPORTER` / `OTEL_LOGS_EXPORTER` ask for it or
 * `sdk.metricReaders` / `sdk.logRecordProcessors` are given — so pointing the
 * OTLP endpoint at a traces-only backend (Jaeger) does not log export errors.
 */
export function setupTracejudge(options: TracejudgeSetupOptions): TracejudgeSetup {
  if (typeof options !== 'object' || options === null) throw new TracejudgeSetupError('options', 'an object', options);
  const { serviceName, exporter: givenExporter, spanProcessors: chain, sdk: sdkOptions = {} } = options;
  if (typeof serviceName !== 'string' || serviceName.trim() === '') {
    throw new TracejudgeSetupError('serviceName', 'a non-empty string', serviceName);
  }
  if (givenExporter !== undefined && !isExporter(givenExporter)) {
    throw new TracejudgeSetupError('exporter', 'a SpanExporter (export, shutdown)', givenExporter);
  }
  if (chain !== undefined && typeof chain !== 'function') {
    throw new TracejudgeSetupError('spanProcessors', 'a function (downstream) => SpanProcessor[]', chain);
  }
  if (typeof sdkOptions !== 'object' || sdkOptions === null) throw new TracejudgeSetupError('sdk', 'an object', sdkOptions);

  const exporter = givenExporter ?? otlpTraceExporterFromEnv();
  const downstream = new BatchSpanProcessor({ ...options.batch, exporter });
  const processors = chain ? chain(downstream) : [downstream];
  if (!Array.isArray(processors)) throw new TracejudgeSetupError('spanProcessors(downstream)', 'an array of SpanProcessor', processors);
  processors.forEach((processor, index) => {
    if (!isSpanProcessor(processor)) {
      throw new TracejudgeSetupError(`spanProcessors(downstream)[${index}]`, 'a SpanProcessor (onStart, onEnd, forceFlush, shutdown)', processor);
    }
  });

  let resource = sdkOptions.resource;
  if (options.resourceAttributes) resource = (resource ?? defaultResource()).merge(resourceFromAttributes(options.resourceAttributes));
  const sdk = new NodeSDK({
    ...sdkOptions,
    ...(resource && { resource }),
    metricReaders: sdkOptions.metricReaders ?? (getStringFromEnv('OTEL_METRICS_EXPORTER') ? undefined : []),
    logRecordProcessors: logRecordProcessorsOf(options.readingLogProcessors, sdkOptions.logRecordProcessors),
    serviceName,
    spanProcessors: processors,
  });
  sdk.start();

  return {
    sdk,
    exporter,
    downstream,
    spanProcessors: processors,
    async forceFlush() {
      for (const processor of processors) await processor.forceFlush();
      if (!processors.includes(downstream)) await downstream.forceFlush();
    },
    async shutdown() {
      await sdk.shutdown();
      // Idempotent: a chain that already shut its downstream down makes this a no-op.
      await downstream.shutdown();
    },
  };
}

/**
 * Undefined lets NodeSDK build the exporting processors from `OTEL_LOGS_EXPORTER`; with reading
 * processors in front they are built here the same way, as NodeSDK would, and put after them.
 */
function logRecordProcessorsOf(reading: readonly LogRecordProcessor[] | undefined, given: LogRecordProcessor[] | undefined): LogRecordProcessor[] | undefined {
  const fromEnv = getStringFromEnv('OTEL_LOGS_EXPORTER');
  if (reading === undefined || reading.length === 0) return given ?? (fromEnv ? undefined : []);
  return [...reading, ...(given ?? (fromEnv ? logRecordProcessorsFromEnv() : []))];
}

function isExporter(value: unknown): value is SpanExporter {
  const candidate = value as SpanExporter | null;
  return typeof candidate?.export === 'function' && typeof candidate.shutdown === 'function';
}

function isSpanProcessor(value: unknown): value is SpanProcessor {
  const candidate = value as SpanProcessor | null;
  return (
    typeof candidate?.onStart === 'function' &&
    typeof candidate.onEnd === 'function' &&
    typeof candidate.forceFlush === 'function' &&
    typeof candidate.shutdown === 'function'
  );
}
