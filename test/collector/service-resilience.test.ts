import type { DiagLogger } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterEach, describe, expect, it } from 'vitest';
import { OtlpForwarder } from '../../src/collector/forward/forwarder.ts';
import { CollectorService } from '../../src/collector/service.ts';
import type { ForwardConfigInput } from '../../src/config/forward.ts';
import { turnSpecs } from '../cli/support/turns.ts';
import { CaptureServer, eventually, testConfig } from './forward/capture-server.ts';
import { recordSpans } from '../otlp/sdk-spans.ts';
import { evaluationLabels, forwardedSpans, post } from './receive/receiver-support.ts';

const JSON_TYPE = { 'content-type': 'application/json' };

let capture: CaptureServer | undefined;
let service: CollectorService | undefined;

afterEach(async () => {
  await service?.stop();
  await capture?.down();
  service = undefined;
  capture = undefined;
});

function recordingLogger(): DiagLogger & { warnings: string[] } {
  const warnings: string[] = [];
  const ignore = () => {};
  return { warnings, warn: (message: string) => void warnings.push(message), error: ignore, info: ignore, debug: ignore, verbose: ignore };
}

async function start(forward: Partial<ForwardConfigInput>, logger = recordingLogger(), stopTimeoutMs = 5000) {
  capture = await CaptureServer.start();
  const config = testConfig(capture.tracesUrl, forward);
  const forwarder = new OtlpForwarder(config, { logger, dropReportIntervalMs: 60_000, flushTimeoutMs: stopTimeoutMs, shutdownTimeoutMs: stopTimeoutMs });
  service = new CollectorService({ forwarder, receiver: { host: '127.0.0.1', port: 0 }, forwarderMaxQueuedSpans: config.queue.maxSpans, forwarderMaxQueuedBytes: config.queue.maxBytes });
  const url = `http://127.0.0.1:${(await service.start()).port}/v1/traces`;
  return { capture, service, forwarder, logger, url };
}

const turnBody = async (n: number) =>
  JsonTraceSerializer.serializeRequest(await recordSpans(turnSpecs({ conversationId: `c-${n}`, toolResult: { price: '$249.00' }, reply: `It is $${n}.00.`, at: 1_750_000_000 + n })))!;

describe('collector service with the upstream down', () => {
  it('holds what it accepted while the upstream is down, refuses the rest with 429, and delivers all of it once the upstream is back', async () => {
    const { capture, service, url } = await start({ queue: { maxSpans: 9 }, retry: { initialBackoff: '20ms', maxBackoff: '50ms', maxElapsed: 0 } });
    await capture.down();
    const answers: number[] = [];
    for (let n = 1; n <= 5; n++) answers.push((await post(url, await turnBody(n), JSON_TYPE)).status);
    // Three turns of 3 spans fill the 9-span queue; the next two are refused before evaluation.
    expect(answers).toEqual([200, 200, 200, 429, 429]);
    expect(service.stats().forwarder.queuedSpans).toBe(9);

    await capture.up();
    await eventually(() => service.stats().forwarder.forwardedSpans === 9, 'the queued spans delivered');
    // The senders retry what was refused: accepted now, each reply evaluated once.
    for (const n of [4, 5]) expect((await post(url, await turnBody(n), JSON_TYPE)).status).toBe(200);
    await eventually(() => forwardedSpans(capture).length === 15, 'every turn delivered');
    const chats = forwardedSpans(capture).filter((span) => span.name.startsWith('chat'));
    expect(chats).toHaveLength(5);
    for (const chat of chats) expect(Object.keys(evaluationLabels(chat))).toEqual(['commitment.price']);
    expect(service.stats().forwarder.dropped).toMatchObject({ queue_full: 0, rejected: 0, retries_exhausted: 0 });
    expect(service.stats().receiver.requests).toMatchObject({ '/v1/traces 200': 5, '/v1/traces 429': 2 });
  });

  it('refuses by the byte bound before evaluating, so a retried turn is still evaluated once, with its events', async () => {
    // The span bound is generous; the byte bound is what refuses, checked against the request's size.
    const { capture, service: running, url } = await start({ queue: { maxSpans: 10_000, maxBytes: 4000 }, retry: { initialBackoff: '20ms', maxBackoff: '50ms', maxElapsed: 0 } });
    await capture.down();
    const statuses: number[] = [];
    for (let n = 1; n <= 6; n++) statuses.push((await post(url, await turnBody(n), JSON_TYPE)).status);
    const refused = statuses.map((status, i) => (status === 429 ? i + 1 : 0)).filter((n) => n > 0);
    expect(refused.length).toBeGreaterThan(0);
    expect(statuses[0]).toBe(200);
    // Refused before any work: nothing evaluated for them, nothing dropped.
    expect(running.stats().pipeline.repliesChecked).toBe(6 - refused.length);
    expect(running.stats().forwarder.dropped.queue_full).toBe(0);

    await capture.up();
    for (const n of refused) {
      // The sender retries when there is room again (a tiny bound: one turn at a time).
      await eventually(() => running.stats().forwarder.queuedSpans === 0, 'the queue drained');
      expect((await post(url, await turnBody(n), JSON_TYPE)).status).toBe(200);
    }
    await eventually(() => forwardedSpans(capture).length === 18, 'every turn delivered');
    const chats = forwardedSpans(capture).filter((span) => span.name.startsWith('chat'));
    expect(chats).toHaveLength(6);
    // Every chat span, the retried ones included, carries its check result.
    for (const chat of chats) expect(Object.keys(evaluationLabels(chat))).toEqual(['commitment.price']);
    expect(running.stats().pipeline.repliesChecked).toBe(6);
  });
});
