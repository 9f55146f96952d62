import { context, logs, propagation, trace } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTracejudge } from '../src/index.ts';
import { contribHandler, contribOpenAI, GROUNDED, runContribConversation, UNGROUNDED } from './support/contrib-openai.ts';
import { startOpenAITestServer } from './support/openai-test-server.ts';
import type { OpenAITestServer } from './support/openai-test-server.ts';

let server: OpenAITestServer;
beforeAll(async () => {
  server = await startOpenAITestServer(contribHandler([GROUNDED, UNGROUNDED]));
});
afterAll(async () => {
  await server.close();
  trace.disable();
  context.disable();
  propagation.disable();
  logs.disable();
});

describe('setupTracejudge with the official OpenAI instrumentation (content as log records)', () => {
  it('installs the content log processor on the SDK\'s LoggerProvider: replies are checked, the records still exported', async () => {
    const exporter = new InMemorySpanExporter();
    const logExporter = new InMemoryLogRecordExporter();
    const setup = await setupTracejudge({
      serviceName: 'clinic-agent',
      exporter,
      batch: { scheduledDelayMillis: 10 },
      sdk: { logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: logExporter })] },
    });
    const OpenAI = contribOpenAI();
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 });
    await runContribConversation(client, GROUNDED);
    await runContribConversation(client, UNGROUNDED);
    await setup.forceFlush();
    const labels = exporter
      .getFinishedSpans()
      .flatMap((span) => span.events.filter((event) => event.name === 'gen_ai.evaluation.result').map((event) => `${span.attributes['gen_ai.response.id']} ${event.attributes?.['gen_ai.evaluation.name']} ${event.attributes?.['gen_ai.evaluation.score.label']}`))
      .sort();
    expect(labels).toEqual([
      'chatcmpl-contrib-grounded-2 commitment.price pass',
      'chatcmpl-contrib-grounded-2 commitment.refund pass',
      'chatcmpl-contrib-grounded-2 commitment.time pass',
      'chatcmpl-contrib-grounded-3 commitment.price pass',
      'chatcmpl-contrib-grounded-3 commitment.time pass',
      'chatcmpl-contrib-ungrounded-2 commitment.price fail',
      'chatcmpl-contrib-ungrounded-2 commitment.refund fail',
      'chatcmpl-contrib-ungrounded-2 commitment.time fail',
      'chatcmpl-contrib-ungrounded-3 commitment.price fail',
      'chatcmpl-contrib-ungrounded-3 commitment.time fail',
    ]);
    expect(setup.contentLogProcessor.stats().recordsTaken).toBeGreaterThan(0);
    expect(logExporter.getFinishedLogRecords().length).toBe(setup.contentLogProcessor.stats().recordsTaken);
    await setup.shutdown();
  });
});
