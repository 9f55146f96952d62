import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { afterEach, describe, expect, it } from 'vitest';
import { startConversation } from '../instrumentation/index.ts';
import { decodeTraceRequestJson } from '../src/otlp/index.ts';
import type { DecodedSpan } from '../src/otlp/index.ts';
import { ConfigError, setupTracejudge } from '../src/index.ts';
import { listReviewItems, TracejudgeStore } from '../src/store/index.ts';
import type { EvaluationResult } from '../src/index.ts';
import { TracejudgeSetupError } from '../instrumentation/index.ts';
import { chatCompletion, startOpenAITestServer } from './support/openai-test-server.ts';
import type { RecordedRequest } from './support/openai-test-server.ts';

/** A real OTLP/HTTP JSON receiver on 127.0.0.1: every span it was sent, decoded. */
async function startReceiver(): Promise<{ url: string; spans: DecodedSpan[]; close(): Promise<void> }> {
  const spans: DecodedSpan[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    spans.push(...decodeTraceRequestJson(Buffer.concat(chunks).toString('utf8')).spans);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/traces`, spans, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  // NodeSDK.start registers globals; each test starts from none.
  trace.disable();
  context.disable();
  propagation.disable();
});

/** One turn: the tool says $249.00, the reply says $199.00. */
async function hallucinatedTurn(conversationId: string): Promise<void> {
  const conversation = startConversation({ id: conversationId, agentName: 'concierge', systemInstructions: 'Only quote prices a tool returned.' });
  await conversation.turn('How much is the suite?', async (turn) => {
    await turn.tool('lookup_price', { room: 'suite' }, async () => ({ room: 'suite', price: '$249.00' }));
    turn.reply('The suite is $199.00 per night.');
  });
  conversation.end();
}

function evaluations(spans: readonly DecodedSpan[]): Record<string, unknown>[] {
  return spans.flatMap((span) =>
    span.events
      .filter((event) => event.name === 'gen_ai.evaluation.result')
      .map((event) => ({ span: span.name, name: event.attributes['gen_ai.evaluation.name'], label: event.attributes['gen_ai.evaluation.score.label'] })),
  );
}

describe('setupTracejudge (package root)', () => {
  it('without sampling or judge config: the inline check fail event reaches a real OTLP/HTTP receiver', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const seen: EvaluationResult[] = [];
    const setup = await setupTracejudge({ serviceName: 'hotel-agent', exporter: new OTLPTraceExporter({ url: receiver.url }), sinks: [{ write: (results) => void seen.push(...results) }] });
    expect(setup.online).toBeUndefined();
    await hallucinatedTurn('root-inline');
    await setup.shutdown();

    expect(evaluations(receiver.spans)).toContainEqual(expect.objectContaining({ name: 'commitment.price', label: 'fail' }));
    const failed = receiver.spans.flatMap((span) => span.events).find((event) => event.attributes['gen_ai.evaluation.score.label'] === 'fail')!;
    expect(failed.attributes['tracejudge.ungrounded_values']).toEqual(['$199.00']);
    expect(receiver.spans.some((span) => span.attributes['tracejudge.sampling.stratum'] !== undefined)).toBe(false);
    expect(seen.map((result) => `${result.name}:${result.label}`)).toContain('commitment.price:fail');
    expect(setup.stats().processor.repliesChecked).toBeGreaterThan(0);
  });

  it('with a store section and no judge: a failed check is stored and queued for review with what was said', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const dir = await mkdtemp(join(tmpdir(), 'tracejudge-setup-store-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'tracejudge.db');
    const setup = await setupTracejudge({ serviceName: 'hotel-agent', exporter: new OTLPTraceExporter({ url: receiver.url }), config: { store: { path } } });
    expect(setup.online?.storeSink).toBeDefined();
    expect(setup.online?.judge).toBeUndefined();
    await hallucinatedTurn('root-review');
    await setup.shutdown();

    expect(evaluations(receiver.spans)).toContainEqual(expect.objectContaining({ name: 'commitment.price', label: 'fail' }));
    const store = TracejudgeStore.open(path);
    cleanups.push(() => store.close());
    const queued = listReviewItems(store).filter((item) => item.evaluation === 'commitment.price');
    expect(queued.length).toBeGreaterThan(0);
    for (const item of queued) {
      expect(item).toMatchObject({ conversationId: 'root-review', label: 'fail', reason: 'check failed' });
      expect(item.userMessages).toContain('How much is the suite?');
      expect(item.transcript.map((line) => line.text)).toContain('The suite is $199.00 per night.');
    }
  });

  it('with a sampling and judge config: decision attributes, the check failure and the judge result on the turn span, all at the receiver', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const judge = await startOpenAITestServer((request: RecordedRequest) => {
      const low = JSON.stringify(request.body).includes('$199.00');
      return { json: chatCompletion(JSON.stringify({ reasoning: 'compared with the tool result', score: low ? 1 : 5, label: low ? 'unfaithful' : 'faithful' })) };
    });
    cleanups.push(() => judge.close());
    const seen: EvaluationResult[] = [];
    const setup = await setupTracejudge({
      serviceName: 'hotel-agent',
      exporter: new OTLPTraceExporter({ url: receiver.url }),
      sinks: [{ write: (results) => void seen.push(...results) }],
      config: {
        sampling: { strata: [{ name: 'everything', rate: 1 }], budget: { maxJudgeCostShareOfInference: null } },
        judge: { model: 'gpt-4.1-mini', baseURL: judge.baseURL, rubrics: ['faithfulness'], maxRetries: 0, timeout: '5s', holdMs: 10_000 },
      },
      online: { judgeOptions: { apiKey: 'test-key' } },
    });
    expect(setup.online?.judge).toBeDefined();
    await hallucinatedTurn('root-online');
    await setup.shutdown();

    const agent = receiver.spans.find((span) => span.name.startsWith('invoke_agent'))!;
    expect(agent.attributes['tracejudge.sampling.sampled']).toBe(true);
    expect(agent.attributes['tracejudge.sampling.stratum']).toBe('everything');
    const found = evaluations(receiver.spans);
    expect(found).toContainEqual(expect.objectContaining({ name: 'commitment.price', label: 'fail' }));
    expect(found).toContainEqual({ span: agent.name, name: 'faithfulness', label: 'unfaithful' });
    expect(receiver.spans.some((span) => span.name.startsWith('evaluate '))).toBe(false);
    expect(judge.requests).toHaveLength(1);
    // The sinks saw the check result and the judge result.
    expect(seen.map((result) => `${result.name}:${result.label}`)).toEqual(expect.arrayContaining(['commitment.price:fail', 'faithfulness:unfaithful']));
    expect(setup.stats().online?.delivered.spanEvents).toBe(1);
  });

  it('the sinks also get the results the stage settles itself: a judge past the drain deadline is judge_timeout', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const seen: EvaluationResult[] = [];
    // An evaluator that never answers: only the stage's own deadline can settle its judgment.
    const stuck = { name: 'stuck-judge', evaluate: () => new Promise<EvaluationResult[]>(() => {}) };
    const setup = await setupTracejudge({
      serviceName: 'hotel-agent',
      exporter: new OTLPTraceExporter({ url: receiver.url }),
      sinks: [{ write: (results) => void seen.push(...results) }],
      evaluator: stuck,
      config: { sampling: { strata: [{ name: 'everything', rate: 1 }], budget: { maxJudgeCostShareOfInference: null } } },
      online: { drainTimeoutMs: 300 },
    });
    await hallucinatedTurn('root-stuck');
    await setup.shutdown();

    expect(seen.filter((result) => result.name === 'commitment.price')).toHaveLength(1);
    const timedOut = seen.filter((result) => result.error?.type === 'judge_timeout');
    expect(timedOut).toHaveLength(1);
    expect(timedOut[0]?.error?.message).toMatch(/drain deadline/);
    // The span still left, with the same result as an event.
    const timeoutEvents = receiver.spans.flatMap((span) =>
      span.events.filter((event) => event.name === 'gen_ai.evaluation.result' && event.attributes['error.type'] === 'judge_timeout').map(() => span.name),
    );
    expect(timeoutEvents).toEqual(['invoke_agent concierge']);
  });

  it('masks personal data (privacy section) in what the judge it builds is sent', async () => {
    const judge = await startOpenAITestServer(() => ({ json: chatCompletion(JSON.stringify({ reasoning: 'ok', score: 5, label: 'faithful' })) }));
    cleanups.push(() => judge.close());
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const setup = await setupTracejudge({
      serviceName: 'hotel-agent',
      exporter: new OTLPTraceExporter({ url: receiver.url }),
      config: {
        sampling: { strata: [{ name: 'everything', rate: 1 }], budget: { maxJudgeCostShareOfInference: null } },
        judge: { model: 'gpt-4.1-mini', baseURL: judge.baseURL, rubrics: ['faithfulness'], maxRetries: 0, timeout: '5s', holdMs: 10_000 },
      },
      online: { judgeOptions: { apiKey: 'test-key' } },
    });
    const conversation = startConversation({ id: 'root-pii', agentName: 'concierge' });
    await conversation.turn('Send the invoice to ana.lopez@example.com please', async (turn) => {
      turn.reply('Done, it went to ana.lopez@example.com.');
    });
    conversation.end();
    await setup.shutdown();
    expect(judge.requests).toHaveLength(1);
    const sent = JSON.stringify(judge.requests[0].body);
    expect(sent).toContain('Send the invoice to');
    expect(sent).not.toContain('ana.lopez@example.com');
  });

  it('reads a config file (with ${ENV} substitution) and names what is wrong in bad options', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tracejudge-setup-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'tracejudge.yaml');
    await writeFile(file, 'sampling:\n  strata: [{ name: all, rate: 0.5 }]\njudge:\n  model: gpt-4.1-mini\n  baseURL: ${SETUP_TEST_JUDGE_URL}\n  rubrics: [faithfulness]\n');
    process.env.SETUP_TEST_JUDGE_URL = 'http://127.0.0.1:9/v1';
    cleanups.push(() => delete process.env.SETUP_TEST_JUDGE_URL);
    const fromFile = await setupTracejudge({ serviceName: 'x', config: file, exporter: new OTLPTraceExporter({ url: 'http://127.0.0.1:9/v1/traces' }), online: { judgeOptions: { apiKey: 'k' } } });
    cleanups.push(() => fromFile.shutdown());
    expect(fromFile.config.judge?.baseURL).toBe('http://127.0.0.1:9/v1');
    expect(fromFile.online?.sampler).toBeDefined();

    await expect(setupTracejudge({ serviceName: 'x', config: 42 as never })).rejects.toThrow(TracejudgeSetupError);
    await expect(setupTracejudge({ serviceName: 'x', config: 42 as never })).rejects.toThrow(/"config" must be a config object or the path/);
    await expect(setupTracejudge({ serviceName: 'x', config: '/nonexistent/tracejudge.yaml' })).rejects.toThrow(ConfigError);
    await expect(setupTracejudge({ serviceName: 'x', config: { conversations: { maxOpen: -3 } } })).rejects.toThrow(/conversations\.maxOpen/);
    await expect(setupTracejudge({ serviceName: 'x', sinks: [{}] as never })).rejects.toThrow(/"sinks" must be an array of ResultSink/);
    await expect(setupTracejudge({ serviceName: '' })).rejects.toThrow(/serviceName/);
  });
});
