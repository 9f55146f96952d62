import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { context, logs, propagation, trace } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { startConversation } from '../../instrumentation/index.ts';
import { setupTracejudge } from '../../src/index.ts';
import { listConversations, listReviewItems, TracejudgeStore } from '../../src/store/index.ts';
import { chatCompletion, startOpenAITestServer } from '../support/openai-test-server.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';
import { leaks, PII_CORPUS } from './pii-corpus.ts';

afterAll(() => {
  removeTempDirs();
  trace.disable();
  context.disable();
  propagation.disable();
  logs.disable();
});

/** In-memory exporters that keep what they got past shutdown (the SDK's forget on shutdown). */
class KeptSpans extends InMemorySpanExporter {
  override shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
class KeptLogs extends InMemoryLogRecordExporter {
  override shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const EMAIL = 'ana.garcia@example.es';
const CARD = '4111 1111 1111 1111';
const IBAN = 'DE89 3704 0044 0532 0130 00';
const PHONE = '+34 612 345 678';
/** Every kind and spelling of the corpus (EN/ES/DE/FR) is said in the conversation too. */
const PLANTED = [EMAIL, CARD, IBAN, PHONE, ...PII_CORPUS.map(([, , value]) => value)];

describe('every destination tracejudge writes, with a conversation full of personal data', () => {
  it('judge requests, store, review queue, JSONL, webhook, log events and span result events carry none of it (the whole corpus planted)', async () => {
    const dir = makeTempDir('tracejudge-leaks-');
    const webhookBodies: string[] = [];
    const hook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        webhookBodies.push(body);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const judgeRequests: string[] = [];
    // The judge quotes the transcript back (a card included) in its explanation.
    const judge = await startOpenAITestServer((request) => {
      judgeRequests.push(JSON.stringify(request.body));
      return { json: chatCompletion(JSON.stringify({ reasoning: `The reply repeats the card ${CARD} and invents a price.`, score: 1, label: 'unfaithful' })) };
    });
    const exporter = new KeptSpans();
    const logExporter = new KeptLogs();
    const store = join(dir, 'tracejudge.db');
    const jsonl = join(dir, 'review.jsonl');
    const setup = await setupTracejudge({
      serviceName: 'bank-agent',
      exporter,
      batch: { scheduledDelayMillis: 10 },
      sdk: { logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: logExporter })] },
      config: {
        sampling: { strata: [{ name: 'everything', rate: 1 }], budget: { maxJudgeCostShareOfInference: null } },
        judge: { model: 'gpt-4.1-mini', baseURL: judge.baseURL, rubrics: ['faithfulness'], maxRetries: 0, timeout: '5s', holdMs: 10_000 },
        store: { path: store },
        review: { below: 0.5, jsonl: { path: jsonl }, webhook: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook` } },
        events: { logs: true },
      },
      online: { judgeOptions: { apiKey: 'test-key' } },
    });
    // An app that keys its conversations by the customer's e-mail.
    const conversation = startConversation({ id: EMAIL, agentName: 'bank-agent', cohort: { vertical: 'bank', customer: EMAIL } });
    const said = PII_CORPUS.map(([, sentence]) => sentence).join('. ');
    await conversation.turn(`Hi, I am ${EMAIL}, call me on ${PHONE}. My card is ${CARD} and my IBAN ${IBAN}. ${said}`, async (turn) => {
      await turn.tool('lookup_fee', { iban: IBAN }, async () => ({ fee: '$12.00', account: IBAN }));
      // The invented price sits right after the card number: a 32-character quote cut would keep part of it.
      turn.reply(`Your card ${CARD} will be charged $99.00 today, and we will call ${PHONE}.`);
    });
    conversation.end();
    await setup.shutdown();
    await new Promise<void>((resolve) => hook.close(() => resolve()));
    await judge.close();

    const spanEvents = JSON.stringify(
      exporter.getFinishedSpans().flatMap((span) => span.events.filter((event) => event.name === 'gen_ai.evaluation.result').map((event) => event.attributes)),
    );
    const logEvents = JSON.stringify(logExporter.getFinishedLogRecords().filter((record) => record.eventName === 'gen_ai.evaluation.result').map((record) => record.attributes));
    const opened = TracejudgeStore.open(store);
    const stored = JSON.stringify({ conversations: listConversations(opened), review: listReviewItems(opened) });
    opened.close();
    const destinations: Record<string, string> = {
      'judge requests': judgeRequests.join('\n'),
      'span result events': spanEvents,
      'log result events': logEvents,
      store: stored,
      'review JSONL': await readFile(jsonl, 'utf8'),
      webhook: webhookBodies.join('\n'),
    };
    for (const [where, text] of Object.entries(destinations)) {
      expect(text.length, `${where} received something`).toBeGreaterThan(2);
      for (const value of PLANTED) expect(leaks(text, value), `${where} leaks ${value}`).toBe(false);
    }
    // What a reviewer needs is still there: the invented price, and one placeholder per value.
    expect(spanEvents).toContain('$99.00');
    expect(spanEvents).toMatch(/pii-[0-9a-f]{24}/);
    expect(stored).toContain('<CARD_1>');
    // A cohort value that carries personal data is stored as its keyed hash; the others as they are.
    expect(stored).toMatch(/"app\.customer":"pii-[0-9a-f]{24}"/);
    expect(stored).toContain('"app.vertical":"bank"');
  });
});
