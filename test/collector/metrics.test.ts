import { request } from 'node:http';
import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { OtlpForwarder } from '../../src/collector/forward/forwarder.ts';
import { PrometheusEndpoint } from '../../src/collector/prometheus-endpoint.ts';
import { CollectorService } from '../../src/collector/service.ts';
import { turnSpecs } from '../cli/support/turns.ts';
import { CaptureServer, eventually, OK, testConfig, type Reply } from './forward/capture-server.ts';
import { recordSpans } from '../otlp/sdk-spans.ts';
import { exportWith, forwardedSpans, post } from './receive/receiver-support.ts';

let capture: CaptureServer | undefined;
let service: CollectorService | undefined;
let endpoint: PrometheusEndpoint | undefined;

afterEach(async () => {
  await service?.stop();
  await endpoint?.shutdown();
  await capture?.down();
  service = undefined;
  endpoint = undefined;
  capture = undefined;
});

function scrape(url: string): Promise<{ status: number; contentType: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    request(url, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], text }));
    })
      .on('error', reject)
      .end();
  });
}

/** Prometheus text format → `name{labels}` → value (labels as written, sorted by the exporter). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** The one sample whose series name is `name` and whose labels include every one of `labels`. */
function valueOf(all: Map<string, number>, name: string, labels: Record<string, string | number> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const matching = [...all].filter(([series]) => (series === name || series.startsWith(`${name}{`)) && wanted.every((label) => series.includes(label)));
  if (matching.length > 1) throw new Error(`${matching.length} series match ${name} ${JSON.stringify(labels)}: ${matching.map(([s]) => s).join(', ')}`);
  return matching[0]?.[1];
}

describe('Prometheus metrics of collect', () => {
  it('serves the receiver and forwarder counters on GET /metrics with the values of what was sent', async () => {
    capture = await CaptureServer.start();
    endpoint = new PrometheusEndpoint({ host: '127.0.0.1', port: 0 });
    const metricsUrl = `http://127.0.0.1:${(await endpoint.listen()).port}/metrics`;
    const forwarder = new OtlpForwarder(testConfig(capture.tracesUrl), { meterProvider: endpoint.meterProvider, flushTimeoutMs: 2000 });
    service = new CollectorService({ forwarder, receiver: { host: '127.0.0.1', port: 0 }, meterProvider: endpoint.meterProvider });
    const url = `http://127.0.0.1:${(await service.start()).port}`;

    const spans = await recordSpans([
      ...turnSpecs({ conversationId: 'm-1', toolResult: { price: '$249.00' }, reply: 'It is $199.00.', at: 1_750_000_000 }),
      ...turnSpecs({ conversationId: 'm-2', reply: 'Hello.', at: 1_750_000_100 }),
    ]);
    expect(spans).toHaveLength(5);
    expect((await exportWith('proto', url, spans)).code).toBe(ExportResultCode.SUCCESS);
    // One usable span and one with a bad id (partial success), and a body that is not OTLP (400).
    const partial = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'ok', startTimeUnixNano: '1', endTimeUnixNano: '2' },
                { traceId: 'zz', spanId: 'eee19b7ec3c1b175', name: 'bad', startTimeUnixNano: '1', endTimeUnixNano: '2' },
              ],
            },
          ],
        },
      ],
    });
    const partialAnswer = await post(`${url}/v1/traces`, partial, { 'content-type': 'application/json' });
    expect(partialAnswer.status).toBe(200);
    expect((await post(`${url}/v1/traces`, 'not json', { 'content-type': 'application/json' })).status).toBe(400);
    await eventually(() => forwardedSpans(capture!).length === 6, 'six spans forwarded');
    await eventually(() => forwarder.stats().forwardedSpans === 6, 'forwarder counted them');

    const scraped = await scrape(metricsUrl);
    expect(scraped.status).toBe(200);
    expect(scraped.contentType).toMatch(/^text\/plain/);
    const all = samples(scraped.text);
    expect(valueOf(all, 'tracejudge_receiver_spans_accepted_total')).toBe(6);
    expect(valueOf(all, 'tracejudge_receiver_spans_rejected_total')).toBe(1);
    expect(valueOf(all, 'tracejudge_receiver_requests_total', { http_route: '/v1/traces', http_response_status_code: 200 })).toBe(2);
    expect(valueOf(all, 'tracejudge_receiver_requests_total', { http_route: '/v1/traces', http_response_status_code: 400 })).toBe(1);
    expect(valueOf(all, 'tracejudge_receiver_bytes_received_total')).toBe(service.stats().receiver.bytesReceived);
    expect(service.stats().receiver.bytesReceived).toBeGreaterThan(Buffer.byteLength(partial) + 'not json'.length);
    expect(valueOf(all, 'tracejudge_forwarder_spans_forwarded_total')).toBe(6);
    expect(valueOf(all, 'tracejudge_forwarder_spans_dropped_total', { error_type: 'queue_full' })).toBe(0);
    expect(valueOf(all, 'tracejudge_forwarder_queue_spans')).toBe(0);
    expect(valueOf(all, 'tracejudge_forwarder_bytes_sent_total')).toBeGreaterThan(0);
    expect(valueOf(all, 'tracejudge_forwarder_queue_age')).toBe(0);
  });

  it('ages the forward queue while the upstream refuses, and back to 0 once it takes the spans', async () => {
    let refusing = true;
    const refused: Reply = { status: 503, headers: { 'retry-after': '0' } };
    capture = await CaptureServer.start((request, index) => (refusing ? refused : OK(request, index)));
    endpoint = new PrometheusEndpoint({ host: '127.0.0.1', port: 0 });
    const metricsUrl = `http://127.0.0.1:${(await endpoint.listen()).port}/metrics`;
    const config = testConfig(capture.tracesUrl);
    const forwarder = new OtlpForwarder({ ...config, retry: { ...config.retry, initialBackoff: 50, maxBackoff: 100, maxElapsed: 0 } }, { meterProvider: endpoint.meterProvider });
    const spans = await recordSpans(turnSpecs({ conversationId: 'age-1', reply: 'Hello.', at: 1_750_000_000 }));
    expect(forwarder.enqueue(spans)).toBe(true);
    await forwarder.forceFlush(0);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const waiting = samples((await scrape(metricsUrl)).text);
    expect(valueOf(waiting, 'tracejudge_forwarder_queue_spans')).toBe(spans.length);
    expect(valueOf(waiting, 'tracejudge_forwarder_queue_age')).toBeGreaterThanOrEqual(1);
    refusing = false;
    await eventually(() => forwarder.stats().forwardedSpans === spans.length, 'forwarded once the upstream takes them');
    expect(valueOf(samples((await scrape(metricsUrl)).text), 'tracejudge_forwarder_queue_age')).toBe(0);
    await forwarder.shutdown(1_000);
  });

  it('answers 404 off /metrics', async () => {
    endpoint = new PrometheusEndpoint({ host: '127.0.0.1', port: 0 });
    const port = (await endpoint.listen()).port;
    expect((await scrape(`http://127.0.0.1:${port}/`)).status).toBe(404);
  });
});
