import { diag } from '@opentelemetry/api';
import { getStringFromEnv } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { OTLPLogExporter as OTLPJsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { BatchLogRecordProcessor, ConsoleLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';

export type OtlpHttpProtocol = 'http/protobuf' | 'http/json';

/** What the official exporters accept: `url`, `headers`, `timeoutMillis`, `compression`… (they read `OTEL_EXPORTER_OTLP_*` for the rest). */
export type OtlpExporterConfig = NonNullable<ConstructorParameters<typeof OTLPProtoTraceExporter>[0]>;

/**
 * The protocol the OTel SDK environment spec selects: the traces-specific
 * variable, then the general one, default `http/protobuf`. `grpc` is not bundled
 * (it would add @grpc/grpc-js for one option); like the SDK with an unknown
 * value, we warn and use the default.
 */
export function otlpProtocolFromEnv(): OtlpHttpProtocol {
  const raw = (getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL'))?.trim();
  if (raw === undefined || raw === '' || raw === 'http/protobuf') return 'http/protobuf';
  if (raw === 'http/json') return 'http/json';
  diag.warn(`tracejudge: unsupported OTLP traces protocol "${raw}" (supported: http/protobuf, http/json); using http/protobuf`);
  return 'http/protobuf';
}

/**
 * The official OTLP/HTTP trace exporter for the configured protocol. Endpoint,
 * headers, timeout and compression come from the standard
 * `OTEL_EXPORTER_OTLP_[TRACES_]*` variables, read by the exporter itself;
 * `config` overrides them.
 */
export function otlpTraceExporterFromEnv(config?: OtlpExporterConfig): SpanExporter {
  return otlpProtocolFromEnv() === 'http/json' ? new OTLPJsonTraceExporter(config) : new OTLPProtoTraceExporter(config);
}

/**
 * The exporting log record processors `OTEL_LOGS_EXPORTER` asks for, built as NodeSDK builds them
 * (`otlp` in the logs protocol — `http/protobuf` or `http/json`; `console`; `none`), for a setup
 * that puts reading processors in front of them. Batch for OTLP, simple for the console.
 */
export function logRecordProcessorsFromEnv(): LogRecordProcessor[] {
  const names = new Set((getStringFromEnv('OTEL_LOGS_EXPORTER') ?? 'otlp').split(',').map((name) => name.trim()).filter(Boolean));
  if (names.has('none')) return [];
  const processors: LogRecordProcessor[] = [];
  for (const name of names) {
    if (name === 'console') processors.push(new SimpleLogRecordProcessor({ exporter: new ConsoleLogRecordExporter() }));
    else if (name === 'otlp') {
      const raw = (getStringFromEnv('OTEL_EXPORTER_OTLP_LOGS_PROTOCOL') ?? getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL'))?.trim();
      if (raw !== undefined && raw !== '' && raw !== 'http/protobuf' && raw !== 'http/json') {
        diag.warn(`tracejudge: unsupported OTLP logs protocol "${raw}" (supported: http/protobuf, http/json); using http/protobuf`);
      }
      const exporter = raw === 'http/json' ? new OTLPJsonLogExporter() : new OTLPProtoLogExporter();
      processors.push(new BatchLogRecordProcessor({ exporter }));
    } else diag.warn(`tracejudge: unsupported OTEL_LOGS_EXPORTER value "${name}" (supported: otlp, console, none)`);
  }
  return processors;
}
