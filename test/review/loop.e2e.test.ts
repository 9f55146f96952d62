import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConversation } from '../../instrumentation/index.ts';
import { createOnlineEvaluation } from '../../processors/index.ts';
import type { OnlineEvaluation } from '../../processors/index.ts';
import { resolveConfig } from '../../src/config/index.ts';
import { ExperimentsStore } from '../../src/store/experiments-store.ts';
import { listConversations, listReviewItems, TracejudgeStore } from '../../src/store/index.ts';
import { runCli } from '../cli/support/cli-process.ts';
import { installContextManager } from '../instrumentation/tracing-harness.ts';
import { CollectingExporter, judgeAnswer, waitFor } from '../processors/support/online-harness.ts';
import { startOpenAITestServer } from '../support/openai-test-server.ts';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

const EMAIL = 'ana.lopez@example.com';
const CARD = '4111 1111 1111 1111';

/**
 * The loop of DESIGN.md end to end: demo traffic through the real SDK and
 * createOnlineEvaluation (checks + judge over the real openai client against a
 * local server, store sink, PII masker) → low scores and a failed check in the
 * store → `tracejudge harvest` → scripted review → `harvest --apply` → the
 * dataset gains exactly the two confirmed rows → `tracejudge eval` runs them.
 */
describe('review loop: live failures become offline dataset rows', () => {
  const dir = makeTempDir('tracejudge-loop-');
  const storePath = join(dir, 'tracejudge.db');
  const datasets = join(dir, 'datasets');
  let server: OpenAITestServer;
  let online: OnlineEvaluation;
  const exporter = new CollectingExporter();
  const traces: Record<string, string> = {};

  beforeAll(async () => {
    installContextManager();
    // The judge: low faithfulness for the price and physio conversations (the agent erred) and for the slots one
    // (the judge errs: a reviewer will reject it), high for the rest.
    server = await startOpenAITestServer((request) => {
      const body = JSON.stringify(request.body);
      if (body.includes('dermatology consultation cost')) return judgeAnswer(1);
      if (body.includes('physiotherapy')) return judgeAnswer(2);
      if (body.includes('Thursday')) return judgeAnswer(2);
      return judgeAnswer(5);
    });
    const config = resolveConfig(
      {
        sampling: { strata: [{ name: 'all', rate: 1 }] },
        judge: { model: 'gpt-4.1-mini', baseURL: server.baseURL, rubrics: ['faithfulness'], maxRetries: 0, timeout: '5s', scope: 'conversation' },
        // Only `harvest` queues here, so the queue is what the reviewer harvested.
        review: { below: 0.5, queue: false },
        store: { path: storePath },
        privacy: { patterns: [{ name: 'MEMBER_ID', pattern: 'MBR-\\d{6}' }] },
      },
      { env: { OPENAI_API_KEY: 'test-key' } },
    );
    online = await createOnlineEvaluation(config, { downstream: new SimpleSpanProcessor({ exporter }), judgeOptions: { apiKey: 'test-key' } });
    const provider = new TracerProvider({ spanProcessors: [online.processor] });
    const talk = async (id: string, user: string, tool: { name: string; result: unknown }, reply: string) => {
      const conversation = startConversation({ id, tracerProvider: provider, agentName: 'support', captureContent: true, cohort: { vertical: 'clinic', language: 'en' }, systemInstructions: 'You are the clinic support agent.' });
      await conversation.turn(user, async (turn) => {
        traces[id] = turn.span.spanContext().traceId;
        await turn.tool(tool.name, { q: user }, () => tool.result);
        turn.reply(reply);
      });
      conversation.end();
    };
    // Invented price: the commitment.price check fails and the judge scores it lowest.
    await talk('conv-price', `What does a dermatology consultation cost? I am ${EMAIL}, member MBR-123456, card ${CARD}.`, { name: 'get_service_price', result: { service: 'dermatology_consultation', price: '$120' } }, 'A dermatology consultation is $150.');
    await talk('conv-physio', 'How much is a physiotherapy session?', { name: 'get_service_price', result: { service: 'physiotherapy', price: '€45' } }, 'Physiotherapy is included for free.');
    await talk('conv-slots', 'Any dermatology slots available on Thursday?', { name: 'find_slots', result: { slots: ['09:30', '14:15'] } }, 'On Thursday we have 09:30 and 14:15.');
    await talk('conv-hours', 'When are you open on Saturday?', { name: 'opening_hours', result: { saturday: '09:00-13:00' } }, 'On Saturday we are open 09:00 to 13:00.');
    await waitFor(() => server.requests.length >= 4);
    await online.shutdown();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('judged conversations and the failed check land in the store, masked; no listed PII reaches the judge', () => {
    expect(server.requests).toHaveLength(4);
    for (const request of server.requests) {
      const body = JSON.stringify(request.body);
      for (const value of [EMAIL, CARD, 'MBR-123456']) expect(body).not.toContain(value);
    }
    expect(JSON.stringify(server.requests.map((request) => request.body))).toContain('EMAIL_1');

    const store = TracejudgeStore.open(storePath);
    const stored = listConversations(store);
    store.close();
    const scores = stored.flatMap((conversation) => conversation.scores.map((score) => `${conversation.conversationId} ${score.name} ${score.source} ${score.score}`));
    // Passing checks are stored too (store.keepPassing, on by default): drift and coverage see all traffic.
    expect(scores.sort()).toEqual([
      'conv-hours commitment.time deterministic 1',
      'conv-hours faithfulness judge 1',
      'conv-physio faithfulness judge 0.25',
      'conv-price commitment.price deterministic 0',
      'conv-price faithfulness judge 0',
      'conv-slots commitment.time deterministic 1',
      'conv-slots faithfulness judge 0.25',
    ]);
    const price = stored.find((conversation) => conversation.scores.some((score) => score.name === 'faithfulness') && conversation.conversationId === 'conv-price')!;
    expect(price).toMatchObject({ stratum: 'all', weight: 1, cohort: { 'app.vertical': 'clinic', 'app.language': 'en' }, traceId: traces['conv-price'] });
    expect(price.userMessages).toEqual(['What does a dermatology consultation cost? I am <EMAIL_1>, member <MEMBER_ID_1>, card <CARD_1>.']);
    expect(price.transcript.map((line) => line.role)).toEqual(['user', 'tool', 'assistant']);
    for (const file of [storePath, `${storePath}-wal`]) {
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file).toString('latin1');
      for (const value of [EMAIL, CARD, 'MBR-123456']) expect(bytes).not.toContain(value);
      expect(bytes).toContain('dermatology consultation');
    }
  });

  it('harvest → scripted review → apply adds exactly the two confirmed rows with provenance, and eval runs them', async () => {
    const harvested = await runCli(['harvest', '--store', storePath, '--lowest', '3', '--since', '1d', '--evaluation', 'faithfulness', '--dataset', 'regressions', '--datasets-dir', datasets]);
    expect(harvested.stderr).toBe('');
    expect(harvested.stdout).toBe('queued 3 new review item(s) of the 3 weakest\n');

    const store = TracejudgeStore.open(storePath);
    const queued = Object.fromEntries(listReviewItems(store).map((item) => [item.conversationId, item.id]));
    store.close();
    expect(Object.keys(queued).sort()).toEqual(['conv-physio', 'conv-price', 'conv-slots']);

    const reviewed = await runCli(['review', '--store', storePath, '--confirm', String(queued['conv-price']), '--confirm', String(queued['conv-physio']), '--reject', String(queued['conv-slots']), '--note', 'checked against the tool results']);
    expect(reviewed.stderr).toBe('');
    expect(reviewed.stdout.trim().split('\n').sort()).toEqual(
      [`review item ${queued['conv-price']}: confirmed`, `review item ${queued['conv-physio']}: confirmed`, `review item ${queued['conv-slots']}: rejected`].sort(),
    );

    const applied = await runCli(['harvest', '--store', storePath, '--apply', '--dataset', 'regressions', '--datasets-dir', datasets]);
    expect(applied.stderr).toBe('');
    const version = /version (\S+) → ([0-9a-f]{16})/.exec(applied.stdout)?.[2];
    expect(applied.stdout).toMatch(/^added 2 row\(s\) to regressions/);

    const file = join(datasets, 'regressions.jsonl');
    const text = readFileSync(file, 'utf8');
    for (const value of [EMAIL, CARD, 'MBR-123456']) expect(text).not.toContain(value);
    const rows = text.trim().split('\n').map((line) => JSON.parse(line));
    expect(rows).toHaveLength(2);
    const byConversation = Object.fromEntries(rows.map((row) => [row.provenance.conversationId, row]));
    expect(Object.keys(byConversation).sort()).toEqual(['conv-physio', 'conv-price']);
    expect(byConversation['conv-price']).toMatchObject({
      input: 'What does a dermatology consultation cost? I am <EMAIL_1>, member <MEMBER_ID_1>, card <CARD_1>.',
      tags: { vertical: 'clinic', language: 'en', evaluation: 'faithfulness', stratum: 'all' },
      provenance: { source: 'harvested', traceId: traces['conv-price'], reviewItemId: queued['conv-price'] },
    });
    expect(byConversation['conv-physio'].provenance).toMatchObject({ traceId: traces['conv-physio'], reviewItemId: queued['conv-physio'] });
    expect(byConversation['conv-physio'].provenance.spanId).toMatch(/^[0-9a-f]{16}$/);

    // Experiments live in the same store file as the live scores and the review queue (DESIGN.md, the flow).
    const experiments = storePath;
    const evaluated = await runCli(['eval', '--agent', 'examples/offline/agent.ts', '--dataset', file, '--experiment', 'after-harvest', '--store', experiments, '--concurrency', '2']);
    expect(evaluated.code).toBe(0);
    const stored = new ExperimentsStore(experiments);
    try {
      expect(stored.getExperiment('after-harvest')).toMatchObject({ datasetName: 'regressions', datasetVersion: version });
      expect(stored.loadRuns('after-harvest').map((run) => run.rowId).sort()).toEqual(rows.map((row) => row.id).sort());
    } finally {
      stored.close();
    }
  });
});
