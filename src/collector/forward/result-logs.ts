import { Metadata } from '@grpc/grpc-js';
import { OTLPLogExporter as OTLPGrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as OTLPJsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { ForwardConfig } from '../../config/forward.ts';
import { logsUrlFor } from './logs.ts';

/**
 * Where `tracejudge collect` writes results as log-based `gen_ai.evaluation.result` events
 * (DESIGN.md, "Two signals"): the upstream's logs endpoint, in the forwarding protocol, through
 * the official OTLP log exporters. Results of content that came after its span was forwarded go
 * here always (no span can carry them any more); every result does with `events.logs: true`.
 * Undefined when the upstream has no logs endpoint.
 */
export function resultLogsProvider(config: ForwardConfig): LoggerProvider | undefined {
  const url = logsUrlFor(config);
  if (url === undefined) return undefined;
  const headers = { ...(config.logs.headers ?? config.headers) };
  const options = { url, headers, timeoutMillis: config.timeout };
  const exporter =
    config.protocol === 'grpc' ? grpcLogExporter(url, headers, config) : config.protocol === 'http/json' ? new OTLPJsonLogExporter(options) : new OTLPProtoLogExporter(options);
  return new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'tracejudge' }),
    processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 200 })],
  });
}

type GrpcLogExporterOptions = NonNullable<ConstructorParameters<typeof OTLPGrpcLogExporter>[0]>;

function grpcLogExporter(url: string, headers: Record<string, string>, config: ForwardConfig): OTLPGrpcLogExporter {
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(headers)) metadata.set(name.toLowerCase(), value);
  return new OTLPGrpcLogExporter({ url, metadata, timeoutMillis: config.timeout, compression: config.compression as GrpcLogExporterOptions['compression'] });
}
