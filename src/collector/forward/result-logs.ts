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
  const options = { url, headers: { ...(config.logs.headers ?? config.headers) }, timeoutMillis: config.timeout };
  const exporter = config.protocol === 'http/json' ? new OTLPJsonLogExporter(options) : new OTLPProtoLogExporter(options);
  return new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'tracejudge' }),
    processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 200 })],
  });
}
