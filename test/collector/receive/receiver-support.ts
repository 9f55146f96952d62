import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { OtlpForwarder } from '../../../src/collector/forward/forwarder.ts';
import type { DecodedSpan } from '../../../src/otlp/index.ts';
import { decodeTraceRequest } from '../../../src/otlp/index.ts';
import type { ReceiverOptions } from '../../../src/collector/receive/receiver.ts';
import { CollectorService } from '../../../src/collector/service.ts';
import type { ForwardConfigInput } from '../../../src/config/forward.ts';
import type { CaptureServer } from '../forward/capture-server.ts';
import { testConfig } from '../forward/capture-server.ts';

export interface RunningService {
  readonly service: CollectorService;
  readonly forwarder: OtlpForwarder;
  readonly url: string;
  readonly address: AddressInfo;
}

/** The collector service on 127.0.0.1:0 with the real forwarder sending to `capture`. */
export async function startService(
  capture: CaptureServer,
  receiver: Partial<ReceiverOptions> = {},
  forward: Partial<ForwardConfigInput> = {},
): Promise<RunningService> {
  const config = testConfig(capture.tracesUrl, forward);
  const forwarder = new OtlpForwarder(config, { flushTimeoutMs: 2000, shutdownTimeoutMs: 2000 });
  const service = new CollectorService({
    forwarder,
    receiver: { host: '127.0.0.1', port: 0, ...receiver },
    forwarderMaxQueuedSpans: config.queue.maxSpans,
    forwarderMaxQueuedBytes: config.queue.maxBytes,
  });
  const address = await service.start();
  return { service, forwarder, address, url: `http://127.0.0.1:${address.port}` };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One HTTP request with node:http (no client-side retries, any headers, any body). */
export function post(
  url: string,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

type ExporterConfig = ConstructorParameters<typeof OtlpProtoExporter>[0];

/** Sends spans with an official OTLP exporter and resolves with its export result. */
export async function exportWith(
  kind: 'proto' | 'json',
  url: string,
  spans: ReadableSpan[],
  config: ExporterConfig = {},
): Promise<ExportResult> {
  const exporter =
    kind === 'proto' ? new OtlpProtoExporter({ url: `${url}/v1/traces`, ...config }) : new OtlpHttpJsonExporter({ url: `${url}/v1/traces`, ...config });
  const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
  await exporter.shutdown();
  return result;
}

/** What the capture upstream received on /v1/traces, decoded in full (events included). */
export function forwardedSpans(capture: CaptureServer): DecodedSpan[] {
  return capture.requests
    .filter((r) => r.path.endsWith('/v1/traces') && r.status !== undefined && r.status < 300)
    .flatMap((r) => {
      const body = r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.raw) : r.raw;
      return decodeTraceRequest(body, r.headers['content-type'] === 'application/json' ? 'json' : 'protobuf').spans;
    });
}

/** `gen_ai.evaluation.result` labels on a span, by check name. */
export function evaluationLabels(span: DecodedSpan): Record<string, unknown> {
  const labels: Record<string, unknown> = {};
  for (const event of span.events) {
    if (event.name === 'gen_ai.evaluation.result') labels[String(event.attributes['gen_ai.evaluation.name'])] = event.attributes['gen_ai.evaluation.score.label'];
  }
  return labels;
}
