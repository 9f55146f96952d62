import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';

export interface MetricsExportOptions {
  /** Serve `/metrics` for Prometheus to scrape. Loopback by default: expose it on purpose. */
  readonly prometheus?: { readonly port?: number; readonly host?: string; readonly endpoint?: string };
  /**
   * Further readers, e.g. OTLP push: `new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() })`
   * (`@opentelemetry/exporter-metrics-otlp-http` 0.301), or an in-memory reader in tests.
   */
  readonly readers?: readonly IMetricReader[];
}

export interface MetricsExport {
  readonly meterProvider: MeterProvider;
  /** The scrape server, when `prometheus` was asked for. */
  readonly prometheus?: PrometheusExporter;
  /** Resolves once the scrape server listens (at once without one). */
  ready(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * A MeterProvider for tracejudge's own metrics, not registered globally (the
 * app may have its own): pass `meterProvider.getMeter('tracejudge')` to
 * EvaluationMetrics. An OTel NodeSDK set up with a metric reader works too:
 * EvaluationMetrics uses the global provider by default.
 */
export function startMetricsExport(options: MetricsExportOptions = {}): MetricsExport {
  const readers: IMetricReader[] = [...(options.readers ?? [])];
  let prometheus: PrometheusExporter | undefined;
  let listening: Promise<void> = Promise.resolve();
  if (options.prometheus) {
    const { port = 9464, host = '127.0.0.1', endpoint = '/metrics' } = options.prometheus;
    listening = new Promise<void>((resolve, reject) => {
      prometheus = new PrometheusExporter({ port, host, endpoint }, (error) => (error ? reject(error) : resolve()));
    });
    readers.push(prometheus as unknown as IMetricReader);
  }
  const meterProvider = new MeterProvider({ readers });
  return {
    meterProvider,
    ...(prometheus ? { prometheus } : {}),
    ready: () => listening,
    shutdown: () => meterProvider.shutdown(),
  };
}
