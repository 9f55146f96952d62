import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createOnlineStage } from '../../processors/index.ts';
import type { OnlineStageParts } from '../../processors/index.ts';
import { OtlpForwarder } from '../../src/collector/forward/forwarder.ts';
import { CollectorService } from '../../src/collector/service.ts';
import type { ForwardConfigInput } from '../../src/config/forward.ts';
import { resolveConfig } from '../../src/config/index.ts';
import { turnSpecs } from '../cli/support/turns.ts';
import { startOpenAITestServer } from '../support/openai-test-server.ts';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';
import { CaptureServer, eventually, recordingLogger, testConfig } from './forward/capture-server.ts';
import { recordSpans } from '../otlp/sdk-spans.ts';
import { forwardedSpans, post } from './receive/receiver-support.ts';

/**
 * Issue 4: "SIGTERM/SIGINT: stop accepting, drain the pipeline (judge deadline), flush the
 * forwarder, exit 0 — nothing accepted is lost", in the hard case: the judge holds turn spans
 * and the forwarding queue is at its bound when the stop begins.
 */

const JSON_TYPE = { 'content-type': 'application/json' };
// A turn is refused unless all 3 of its spans fit (4 + 3 <= 7): three turns get in, with 2
// queued spans each (the judge holds the third); the fourth is refused.
const QUEUE_SPANS = 7;
const cleanups: (() => Promise<void>)[] = [];
let judge: OpenAITestServer | undefined;

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await judge?.close();
  judge = undefined;
});
afterAll(removeTempDirs);

interface Collector {
  readonly service: CollectorService;
  readonly online: OnlineStageParts;
  readonly url: string;
  readonly logger: ReturnType<typeof recordingLogger>;
}

/** `tracejudge collect` as the CLI wires it, with a judge that never answers and holds for a minute. */
async function startCollector(capture: CaptureServer, forward: Partial<ForwardConfigInput>, shutdownTimeoutMs: number): Promise<Collector> {
  const resolved = resolveConfig(
    {
      sampling: { strata: [{ name: 'all', rate: 1 }], budget: { maxJudgeCostShareOfInference: null } },
      judge: { model: 'gpt-4.1-mini', baseURL: judge!.baseURL, rubrics: ['faithfulness'], maxRetries: 0, timeout: '60s', scope: 'turn', holdMs: 60_000 },
    },
    { env: { OPENAI_API_KEY: 'test-key' } },
  );
  let service: CollectorService | undefined;
  const online = await createOnlineStage(resolved, {
    conversationOfTrace: (traceId) => service?.conversationOfTrace(traceId),
    judgeOptions: { apiKey: 'test-key' },
    drainTimeoutMs: 200,
  });
  const config = testConfig(capture.tracesUrl, { ...forward, retry: { initialBackoff: 20, maxBackoff: 50, maxElapsed: 0 } });
  const logger = recordingLogger();
  const forwarder = new OtlpForwarder(config, { logger: logger.logger, flushTimeoutMs: shutdownTimeoutMs, shutdownTimeoutMs });
  service = new CollectorService({
    forwarder,
    receiver: { host: '127.0.0.1', port: 0 },
    forwarderMaxQueuedSpans: config.queue.maxSpans,
    forwarderMaxQueuedBytes: config.queue.maxBytes,
    pipeline: { sinks: online.checkSinks },
    stages: [online.stage],
  });
  const url = `http://127.0.0.1:${(await service.start()).port}/v1/traces`;
  const running = service;
  cleanups.push(async () => {
    await running.stop();
    await online.close();
  });
  return { service, online, url, logger };
}

async function turn(n: number): Promise<ReadableSpan[]> {
  return recordSpans(turnSpecs({ conversationId: `shutdown-${n}`, toolResult: { price: '$249.00' }, reply: `It is $${n}.00.`, at: 1_750_000_000 + n }));
}

/** Sends turns until one is refused for the full queue; returns the spans of the accepted ones. */
async function fillQueue(collector: Collector): Promise<ReadableSpan[]> {
  const accepted: ReadableSpan[] = [];
  const statuses: number[] = [];
  for (let n = 1; n <= 4; n++) {
    const spans = await turn(n);
    const { status } = await post(collector.url, JsonTraceSerializer.serializeRequest(spans)!, JSON_TYPE);
    statuses.push(status);
    if (status === 200) accepted.push(...spans);
  }
  expect(statuses).toEqual([200, 200, 200, 429]);
  expect(collector.service.stats().forwarder.queuedSpans).toBe(6);
  await eventually(() => judge!.requests.length === 3, 'the judge asked about the three accepted turns');
  return accepted;
}

const idsOf = (spans: readonly ReadableSpan[]) => spans.map((span) => span.spanContext().spanId).sort();
const nonEvaluation = (capture: CaptureServer) => forwardedSpans(capture).filter((span) => !span.name.startsWith('evaluate '));

describe('collect stop while the judge holds spans and the forwarding queue is full', () => {
  it('hands the released spans to the forwarder past the bound and forwards every accepted span once the upstream answers', async () => {
    judge = await startOpenAITestServer(() => ({ hang: true }));
    const capture = await CaptureServer.start();
    cleanups.push(() => capture.down());
    const collector = await startCollector(capture, { queue: { maxSpans: QUEUE_SPANS } }, 20_000);
    await capture.down();
    const accepted = await fillQueue(collector);

    const stopping = collector.service.stop();
    // The three held agent spans are queued although the queue is at its bound and the upstream is down.
    await eventually(() => collector.service.stats().forwarder.queuedSpans === 9, 'the released spans queued past the bound');
    // The first released span still fitted (6 + 1 <= 7); the other two went past the bound.
    expect(collector.service.stats().forwarder.admittedOverBound).toBe(9 - QUEUE_SPANS);
    await capture.up();
    await stopping;

    const forwarded = nonEvaluation(capture);
    expect(forwarded.map((span) => span.spanId).sort()).toEqual(idsOf(accepted));
    // The held spans carry the judge's outcome: it did not answer before the drain deadline.
    const agents = forwarded.filter((span) => span.name.startsWith('invoke_agent'));
    expect(agents).toHaveLength(3);
    for (const agent of agents) {
      const result = agent.events.find((event) => event.attributes['gen_ai.evaluation.name'] === 'faithfulness');
      expect(result?.attributes['error.type']).toBeTypeOf('string');
    }
    expect(collector.service.stats().forwarder.dropped).toEqual({ queue_full: 0, rejected: 0, retries_exhausted: 0, shutdown: 0, shutdown_deadline: 0, export_error: 0 });
    expect(collector.logger.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('with a queue file and the upstream down through the stop, keeps every accepted span on disk and a new service delivers them', async () => {
    judge = await startOpenAITestServer(() => ({ hang: true }));
    const queueFile = join(makeTempDir('tj-shutdown-'), 'forward.db');
    const capture = await CaptureServer.start();
    cleanups.push(() => capture.down());
    const first = await startCollector(capture, { queue: { maxSpans: QUEUE_SPANS, persistPath: queueFile } }, 300);
    await capture.down();
    const accepted = await fillQueue(first);

    await first.service.stop();
    const stats = first.service.stats().forwarder;
    expect(stats.dropped).toEqual({ queue_full: 0, rejected: 0, retries_exhausted: 0, shutdown: 0, shutdown_deadline: 0, export_error: 0 });
    expect(stats.admittedOverBound).toBe(9 - QUEUE_SPANS);
    expect(spansOnDisk(queueFile)).toBe(9);
    expect(nonEvaluation(capture)).toEqual([]);

    await capture.up();
    const second = await startCollector(capture, { queue: { maxSpans: QUEUE_SPANS, persistPath: queueFile } }, 5000);
    await eventually(() => second.service.stats().forwarder.forwardedSpans >= 9, 'the kept spans delivered after the restart');
    await second.service.stop();
    expect(nonEvaluation(capture).map((span) => span.spanId).sort()).toEqual(idsOf(accepted));
    expect(second.service.stats().forwarder.dropped.shutdown_deadline).toBe(0);
    expect(spansOnDisk(queueFile)).toBe(0);
  });
});

function spansOnDisk(file: string): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare('SELECT coalesce(sum(span_count), 0) AS n FROM forward_batches').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
