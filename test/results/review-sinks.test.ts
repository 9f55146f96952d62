import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../src/model/evaluation-result.ts';
import { JsonlFileSink, LowScoreSink, WebhookSink } from '../../src/results/index.ts';
import type { EvaluationTarget, ResultSink } from '../../src/results/index.ts';
import { PiiMasker } from '../../src/privacy/index.ts';

const target: EvaluationTarget = { conversationId: 'conv-1', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), responseId: 'resp-1' };
const low: EvaluationResult = { name: 'faithfulness', score: 0.25, label: 'unfaithful', source: 'judge' };
const high: EvaluationResult = { name: 'tone', score: 0.9, label: 'good', source: 'judge' };
const failedCheck: EvaluationResult = { name: 'commitment.price', score: 0, label: 'fail', source: 'deterministic' };
const brokenJudge: EvaluationResult = { name: 'correctness', source: 'judge', error: { type: 'judge_timeout', message: 'slow' } };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('LowScoreSink', () => {
  it('passes on scores below review.below and failed checks, not good scores or failed evaluations', async () => {
    const seen: EvaluationResult[] = [];
    const routed: string[] = [];
    const inner: ResultSink = { write: (results) => void seen.push(...results) };
    new LowScoreSink(inner, { below: 0.5, onRouted: (result) => routed.push(result.name) }).write([low, high, failedCheck, brokenJudge], target);
    expect(seen.map((result) => result.name)).toEqual(['faithfulness', 'commitment.price']);
    expect(routed).toEqual(['faithfulness', 'commitment.price']);
  });
});

describe('JsonlFileSink', () => {
  it('appends one JSON line per result with where it came from', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tracejudge-jsonl-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'review.jsonl');
    const sink = new JsonlFileSink({ path, now: () => Date.UTC(2026, 0, 2) });
    sink.write([low, failedCheck], target);
    sink.write([high], { ...target, spanId: 'c'.repeat(16) });
    await sink.flush();
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({ time: '2026-01-02T00:00:00.000Z', conversationId: 'conv-1', traceId: target.traceId, spanId: target.spanId, responseId: 'resp-1', result: low });
    expect(lines[2].spanId).toBe('c'.repeat(16));
    expect(sink.stats()).toEqual({ written: 3, dropped: 0, writeErrors: 0 });
  });

  it('counts lines it cannot write (missing directory) and never throws', async () => {
    const sink = new JsonlFileSink({ path: join(tmpdir(), 'no-such-dir-tracejudge', 'x', 'review.jsonl') });
    expect(() => sink.write([low], target)).not.toThrow();
    await sink.flush();
    expect(sink.stats()).toEqual({ written: 0, dropped: 1, writeErrors: 1 });
  });

  it('bounds the lines waiting for the disk and counts the drop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tracejudge-jsonl-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sink = new JsonlFileSink({ path: join(dir, 'r.jsonl'), maxPendingLines: 2 });
    sink.write([low, high, failedCheck, brokenJudge], target);
    await sink.flush();
    expect(sink.stats()).toEqual({ written: 2, dropped: 2, writeErrors: 0 });
  });

  it('rejects a missing path naming the field', () => {
    expect(() => new JsonlFileSink({ path: '' })).toThrow(/"path" must be a file path, got ""/);
  });
});

interface Hook {
  readonly url: string;
  readonly bodies: unknown[];
}

async function startHook(answer: (index: number, req: IncomingMessage, res: ServerResponse) => void): Promise<Hook> {
  const bodies: unknown[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    answer(bodies.length - 1, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

describe('WebhookSink', () => {
  it('POSTs the results with their target as JSON, retrying 503 with Retry-After', async () => {
    const hook = await startHook((index, _req, res) => {
      if (index === 0) res.writeHead(503, { 'retry-after': '0' }).end();
      else res.writeHead(204).end();
    });
    const sink = new WebhookSink({ url: hook.url, backoffMs: 10, headers: { authorization: 'Bearer t' } });
    sink.write([low], target);
    await sink.flush();
    expect(hook.bodies).toHaveLength(2);
    expect(hook.bodies[1]).toEqual({ target, results: [low] });
    expect(sink.stats()).toEqual({ delivered: 1, dropped: 0, redirectsRefused: 0, droppedAtDeadline: 0, failedAttempts: 1, queued: 0 });
  });

  it('gives up after its retries on a hook that times out, counting the drop', async () => {
    const hook = await startHook(() => {
      // never answers
    });
    const sink = new WebhookSink({ url: hook.url, timeoutMs: 50, maxRetries: 1, backoffMs: 5 });
    sink.write([low], target);
    await sink.flush();
    expect(hook.bodies).toHaveLength(2);
    expect(sink.stats()).toMatchObject({ delivered: 0, dropped: 1, failedAttempts: 2 });
  });

  it('does not retry a 400, and drops beyond its queue bound', async () => {
    const hook = await startHook((_index, _req, res) => res.writeHead(400).end());
    const sink = new WebhookSink({ url: hook.url, maxQueued: 1, backoffMs: 5 });
    sink.write([low], target);
    sink.write([high], target);
    sink.write([failedCheck], target);
    await sink.flush();
    expect(sink.stats().failedAttempts).toBe(hook.bodies.length);
    expect(sink.stats().delivered).toBe(0);
    expect(sink.stats().dropped).toBe(3);
  });

  it('never follows a redirect: the body and its secret headers go to the configured URL only', async () => {
    const elsewhere = await startHook((_index, _req, res) => res.writeHead(204).end());
    const hook = await startHook((_index, _req, res) => res.writeHead(307, { location: elsewhere.url }).end());
    const sink = new WebhookSink({ url: hook.url, backoffMs: 5, headers: { authorization: 'Bearer secret' } });
    sink.write([low], target);
    await sink.flush();
    expect(hook.bodies).toHaveLength(1);
    expect(elsewhere.bodies).toHaveLength(0);
    expect(sink.stats()).toMatchObject({ delivered: 0, dropped: 1, redirectsRefused: 1 });
  });

  it('flush ends at its deadline against a hook that never answers: three batches given up, counted', async () => {
    const hook = await startHook(() => {
      // never answers
    });
    const sink = new WebhookSink({ url: hook.url, timeoutMs: 60_000, maxRetries: 5, backoffMs: 1_000 });
    for (let i = 0; i < 3; i++) sink.write([low], target);
    const started = Date.now();
    await sink.flush(300);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(sink.stats()).toMatchObject({ delivered: 0, dropped: 3, droppedAtDeadline: 3, queued: 0 });
    // The sink still works after a flush gave up.
    expect(hook.bodies).toHaveLength(1);
  });

  it('bounds the time one batch may take over its retries (maxElapsedMs)', async () => {
    const hook = await startHook((_index, _req, res) => res.writeHead(503, { 'retry-after': '1' }).end());
    const sink = new WebhookSink({ url: hook.url, maxRetries: 10, backoffMs: 5, maxElapsedMs: 1_500 });
    sink.write([low], target);
    const started = Date.now();
    await sink.flush();
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(hook.bodies.length).toBeLessThanOrEqual(2);
    expect(sink.stats()).toMatchObject({ delivered: 0, dropped: 1 });
  });

  it('masks personal data in what it posts, with one numbering per batch', async () => {
    const hook = await startHook((_index, _req, res) => res.writeHead(204).end());
    const sink = new WebhookSink({ url: hook.url, masker: new PiiMasker() });
    const withConversation: EvaluationTarget = {
      ...target,
      conversation: {
        userMessages: ['I am ana.garcia@example.es, card 4111 1111 1111 1111'],
        transcript: [{ role: 'user', text: 'I am ana.garcia@example.es, card 4111 1111 1111 1111' }, { role: 'assistant', text: 'Thanks ana.garcia@example.es' }],
      },
    };
    sink.write([{ ...low, explanation: 'the reply repeats ana.garcia@example.es', details: { quoted: 'IBAN DE89 3704 0044 0532 0130 00' } }], withConversation);
    await sink.flush();
    const posted = JSON.stringify(hook.bodies[0]);
    expect(posted).not.toMatch(/ana\.garcia|4111|DE89/);
    expect(posted).toContain('<EMAIL_1>');
    const body = hook.bodies[0] as { target: { conversation: { transcript: { text: string }[] } }; results: { explanation: string }[] };
    expect(body.target.conversation.transcript[1]!.text).toBe('Thanks <EMAIL_1>');
    expect(body.results[0]!.explanation).toBe('the reply repeats <EMAIL_1>');
  });

  it('rejects a URL that is not http(s), naming it', () => {
    expect(() => new WebhookSink({ url: 'ftp://example/x' })).toThrow(/"url" must be an http\(s\) URL, got "ftp:\/\/example\/x"/);
  });
});
