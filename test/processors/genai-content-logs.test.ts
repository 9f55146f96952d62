import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvaluationSpanProcessor, GenAIContentLogProcessor } from '../../processors/index.ts';
import { installContextManager } from '../instrumentation/tracing-harness.ts';
import { contribHandler, contribOpenAI, GROUNDED, runContribConversation, UNGROUNDED } from '../support/contrib-openai.ts';
import { startOpenAITestServer } from '../support/openai-test-server.ts';
import type { OpenAITestServer } from '../support/openai-test-server.ts';

let server: OpenAITestServer;
beforeAll(async () => {
  installContextManager();
  server = await startOpenAITestServer(contribHandler([GROUNDED, UNGROUNDED]));
});
afterAll(() => server.close());

function labelsOf(spans: readonly ReadableSpan[], conversationReply: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const span of spans) {
    for (const event of span.events) {
      if (event.name !== 'gen_ai.evaluation.result') continue;
      if (!String(span.attributes['gen_ai.response.id']).includes(conversationReply)) continue;
      labels[String(event.attributes?.['gen_ai.evaluation.name'])] = String(event.attributes?.['gen_ai.evaluation.score.label']);
    }
  }
  return labels;
}

function inProcess() {
  const exporter = new InMemorySpanExporter();
  const processor = new EvaluationSpanProcessor({ downstream: new SimpleSpanProcessor({ exporter }) });
  const tracerProvider = new TracerProvider({ spanProcessors: [processor] });
  const logExporter = new InMemoryLogRecordExporter();
  const contentProcessor = new GenAIContentLogProcessor(processor);
  const loggerProvider = new LoggerProvider({ processors: [contentProcessor, new SimpleLogRecordProcessor({ exporter: logExporter })] });
  return { exporter, processor, tracerProvider, logExporter, contentProcessor, loggerProvider };
}

describe('the official OpenAI instrumentation (content as log records), in-process', () => {
  it('checks every reply from the log records: grounded values pass, invented ones fail, turn 2 grounded by turn 1\'s tool message', async () => {
    const h = inProcess();
    const OpenAI = contribOpenAI(h.tracerProvider, h.loggerProvider);
    const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 });
    await runContribConversation(client, GROUNDED, h.tracerProvider);
    await runContribConversation(client, UNGROUNDED, h.tracerProvider);
    const spans = h.exporter.getFinishedSpans();
    const chatSpans = spans.filter((span) => span.name === 'chat test-model');
    expect(chatSpans).toHaveLength(6);
    // The contrib spans carry no content themselves: it all came from the logs.
    for (const span of chatSpans) expect(span.attributes['gen_ai.output.messages']).toBeUndefined();

    expect(labelsOf(spans, 'contrib-grounded-2')).toEqual({ 'commitment.price': 'pass', 'commitment.time': 'pass', 'commitment.refund': 'pass' });
    expect(labelsOf(spans, 'contrib-grounded-3')).toEqual({ 'commitment.price': 'pass', 'commitment.time': 'pass' });
    expect(labelsOf(spans, 'contrib-ungrounded-2')).toEqual({ 'commitment.price': 'fail', 'commitment.time': 'fail', 'commitment.refund': 'fail' });
    expect(labelsOf(spans, 'contrib-ungrounded-3')).toEqual({ 'commitment.price': 'fail', 'commitment.time': 'fail' });

    const stats = h.processor.stats();
    expect(stats.repliesChecked).toBe(4);
    expect(stats.content.spansWaiting).toBe(0);
    expect(stats.content.recordsJoined).toBe(stats.content.recordsReceived);
    // The records reach their own exporter unchanged, every one of them.
    await h.loggerProvider.forceFlush();
    const records = h.logExporter.getFinishedLogRecords();
    expect(records.length).toBe(h.contentProcessor.stats().recordsTaken);
    expect(records.map((record) => record.attributes['event.name'])).toContain('gen_ai.tool.message');
    await h.tracerProvider.shutdown();
    await h.loggerProvider.shutdown();
  });

  it('keeps records of spans never seen bounded and counts what it drops; unknown event names are left alone', async () => {
    const exporter = new InMemorySpanExporter();
    const processor = new EvaluationSpanProcessor({ downstream: new SimpleSpanProcessor({ exporter }), content: { maxSpans: 50, ttlMs: 60_000 } });
    const contentProcessor = new GenAIContentLogProcessor(processor);
    const loggerProvider = new LoggerProvider({ processors: [contentProcessor] });
    const logger = loggerProvider.getLogger('flood');
    for (let i = 0; i < 1_000; i++) {
      const traceId = i.toString(16).padStart(32, '0');
      logger.emit({
        eventName: 'gen_ai.user.message',
        body: { content: `message ${i}` },
        context: trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: '00000000000000a1', traceFlags: 1 }),
      });
    }
    logger.emit({ eventName: 'app.audit', body: 'not ours' });
    logger.emit({ body: 'no event name at all' });
    const stats = processor.stats().content;
    expect(stats.recordsReceived).toBe(1_000);
    expect(stats.spansWaiting).toBe(50);
    expect(stats.recordsEvicted).toBe(950);
    expect(contentProcessor.stats()).toEqual({ recordsTaken: 1_000, recordsIgnored: 2, errors: 0 });
    await loggerProvider.shutdown();
  });
});
