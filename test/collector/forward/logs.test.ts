import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ForwardConfigSchema } from '../../../src/config/forward.ts';
import { OtlpForwarder } from '../../../src/collector/forward/forwarder.ts';
import { logsUrlFor } from '../../../src/collector/forward/logs.ts';
import { OK, testConfig, useForwarderTestbed } from './capture-server.ts';

const bed = useForwarderTestbed({ shutdownMs: 500 });

function forwarderFor(overrides: Parameters<typeof testConfig>[1] = {}): OtlpForwarder {
  const forwarder = new OtlpForwarder(testConfig(bed.upstream.tracesUrl, overrides));
  bed.forwarders.push(forwarder);
  return forwarder;
}

const LOGS_JSON = Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'hello' } }] }] }] }));

describe('forwardLogs', () => {
  it('relays the body byte for byte to /v1/logs, keeping its content type and encoding, with the configured headers', async () => {
    const forwarder = forwarderFor({ headers: { 'x-tenant': 'acme' } });
    const gzipped = gzipSync(LOGS_JSON);
    expect(await forwarder.forwardLogs(gzipped, 'application/json', 'gzip')).toEqual({ status: 200 });
    expect(await forwarder.forwardLogs(Buffer.from([0x0a, 0x00]), 'application/x-protobuf')).toEqual({ status: 200 });
    const [first, second] = bed.upstream.requests;
    expect(first.path).toBe('/v1/logs');
    expect(first.raw.equals(gzipped)).toBe(true);
    expect(first.headers).toMatchObject({ 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-tenant': 'acme' });
    expect(second.raw.equals(Buffer.from([0x0a, 0x00]))).toBe(true);
    expect(second.headers['content-encoding']).toBeUndefined();
    expect(forwarder.stats().logRequests).toEqual({ forwarded: 2, failed: 0 });
  });

  it('uses logs.endpoint and logs.headers when given', async () => {
    const forwarder = forwarderFor({ logs: { endpoint: `${bed.upstream.origin}/custom/logs`, headers: { 'x-logs': 'yes' } }, headers: { 'x-traces': 'only' } });
    await forwarder.forwardLogs(LOGS_JSON, 'application/json');
    expect(bed.upstream.requests[0].path).toBe('/custom/logs');
    expect(bed.upstream.requests[0].headers['x-logs']).toBe('yes');
    expect(bed.upstream.requests[0].headers['x-traces']).toBeUndefined();
  });

  it('retries a 503 a few times and returns the final answer', async () => {
    bed.upstream.script = (request, index) => (index < 2 ? { status: 503 } : OK(request, index));
    const forwarder = forwarderFor();
    expect(await forwarder.forwardLogs(LOGS_JSON, 'application/json')).toEqual({ status: 200 });
    expect(bed.upstream.requests).toHaveLength(3);
  });

  it('passes a non-retryable answer back at once, and a long Retry-After back instead of waiting on it', async () => {
    bed.upstream.script = () => ({ status: 400 });
    const forwarder = forwarderFor();
    expect(await forwarder.forwardLogs(LOGS_JSON, 'application/json')).toEqual({ status: 400 });
    expect(bed.upstream.requests).toHaveLength(1);
    bed.upstream.script = () => ({ status: 429, headers: { 'retry-after': '30' } });
    expect(await forwarder.forwardLogs(LOGS_JSON, 'application/json')).toEqual({ status: 429, retryAfterMs: 30_000 });
    expect(bed.upstream.requests).toHaveLength(2);
    expect(forwarder.stats().logRequests).toEqual({ forwarded: 0, failed: 2 });
  });

  it('answers 404 without a request when no logs URL follows from the config', async () => {
    const forwarder = new OtlpForwarder(testConfig(`${bed.upstream.origin}/ingest`));
    bed.forwarders.push(forwarder);
    expect(await forwarder.forwardLogs(LOGS_JSON, 'application/json')).toEqual({ status: 404 });
    expect(bed.upstream.requests).toHaveLength(0);
  });

  it('answers 502 when the upstream cannot be reached', async () => {
    await bed.upstream.down();
    const forwarder = forwarderFor();
    expect(await forwarder.forwardLogs(LOGS_JSON, 'application/json')).toEqual({ status: 502 });
  });
});

describe('logsUrlFor', () => {
  const config = (endpoint: string, logs = {}) => ForwardConfigSchema.parse({ endpoint, logs });
  it('turns the traces URL into the logs URL, or takes logs.endpoint', () => {
    expect(logsUrlFor(config('http://tempo:4318/v1/traces'))).toBe('http://tempo:4318/v1/logs');
    expect(logsUrlFor(config('https://gw.example/otlp/v1/traces'))).toBe('https://gw.example/otlp/v1/logs');
    expect(logsUrlFor(config('http://tempo:4318/v1/traces', { endpoint: 'http://loki:3100/otlp/v1/logs' }))).toBe('http://loki:3100/otlp/v1/logs');
    expect(logsUrlFor(config('http://tempo:4318/ingest'))).toBeUndefined();
  });
});
