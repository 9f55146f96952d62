import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { LogRecordProcessor, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { context, logs as otelLogs, propagation, SeverityNumber, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { startConversation } from '../../instrumentation/index.ts';
import { createOnlineEvaluation } from '../../processors/index.ts';
import type { OnlineEvaluation } from '../../processors/index.ts';
import { ConfigError, resolveConfig } from '../../src/config/index.ts';
import type { EvaluationResult } from '../../src/model/index.ts';
import { evaluationEventAttributes, LogEventSink } from '../../src/results/index.ts';
import { setupTracejudge } from '../../src/index.ts';
import { installContextManager } from '../instrumentation/tracing-harness.ts';
import { CollectingExporter, judgeAnswer, waitFor } from '../processors/support/online-harness.ts';
import { startOpenAITestServer } from '../support/openai-test-server.ts';
import type { OpenAITestServer } from '../support/openai-test-server.ts';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

function logPipeline(processors: LogRecordProcessor[] = []): { provider: LoggerProvider; exporter: InMemoryLogRecordExporter; records(): ReadableLogRecord[] } {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [...processors, new SimpleLogRecordProcessor({ exporter })] });
  return { provider, exporter, records: () => exporter.getFinishedLogRecords() };
}

const failedPrice: EvaluationResult = {
  name: 'commitment.price',
  score: 0,
  label: 'fail',
  source: 'deterministic',
  explanation: 'the reply states $129.00, no tool result says so',
  details: { ungroundedValues: ['$129.00'] },
};

describe('LogEventSink', () => {
  it('emits a failed result as a gen_ai.evaluation.result log record on the evaluated span', () => {
    const logs = logPipeline();
    const sink = new LogEventSink({ loggerProvider: logs.provider });
    const target = { conversationId: 'conv-9', traceId: TRACE_ID, spanId: SPAN_ID, responseId: 'resp-3' };
    sink.write([failedPrice], target);

    const [record] = logs.records();
    expect(logs.records()).toHaveLength(1);
    expect(record.eventName).toBe('gen_ai.evaluation.result');
    expect(record.severityNumber).toBe(SeverityNumber.INFO);
    expect(record.instrumentationScope.name).toBe('tracejudge');
    expect(record.spanContext).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID });
    // The same attributes as the span event (SpanEventSink builds them the same way).
    expect(record.attributes).toEqual(evaluationEventAttributes(failedPrice, { responseId: 'resp-3', attributes: { 'tracejudge.conversation.id': 'conv-9' } }));
    expect(record.attributes).toMatchObject({
      'gen_ai.evaluation.name': 'commitment.price',
      'gen_ai.evaluation.score.value': 0,
      'gen_ai.evaluation.score.label': 'fail',
      'gen_ai.response.id': 'resp-3',
      'tracejudge.conversation.id': 'conv-9',
      'tracejudge.ungroundedValues': ['$129.00'],
    });
    expect(sink.stats()).toEqual({ emitted: 1, failed: 0 });
  });

  it('emits one record per result and none for an empty batch', () => {
    const logs = logPipeline();
    const sink = new LogEventSink({ loggerProvider: logs.provider });
    sink.write([], { conversationId: 'c', traceId: TRACE_ID, spanId: SPAN_ID });
    sink.write([failedPrice, { name: 'commitment.time', score: 1, label: 'pass', source: 'deterministic' }], { conversationId: 'c', traceId: TRACE_ID, spanId: SPAN_ID });
    expect(logs.records().map((record) => record.attributes['gen_ai.evaluation.name'])).toEqual(['commitment.price', 'commitment.time']);
  });

  it('a target without valid ids still emits the record, with no trace context', () => {
    const logs = logPipeline();
    new LogEventSink({ loggerProvider: logs.provider }).write([failedPrice], { conversationId: 'c', traceId: 'not-hex', spanId: '' });
    const [record] = logs.records();
    expect(record.eventName).toBe('gen_ai.evaluation.result');
    expect(record.spanContext).toBeUndefined();
  });

  it('a logger that throws never throws into the caller: the failure is counted and reported', () => {
    const broken: LogRecordProcessor = {
      onEmit: () => {
        throw new Error('log pipeline down');
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const logs = logPipeline([broken]);
    const reported: { message: string; failures: number }[] = [];
    const sink = new LogEventSink({ loggerProvider: logs.provider, onError: (error, failures) => reported.push({ message: (error as Error).message, failures }) });
    const target = { conversationId: 'c', traceId: TRACE_ID, spanId: SPAN_ID };
    expect(() => sink.write([failedPrice, failedPrice], target)).not.toThrow();
    expect(sink.stats()).toEqual({ emitted: 0, failed: 2 });
    expect(reported).toEqual([
      { message: 'log pipeline down', failures: 1 },
      { message: 'log pipeline down', failures: 2 },
    ]);
  });

  it('writes nothing once its provider has shut down (the logger is disabled), and does not count that as a failure', async () => {
    const logs = logPipeline();
    const sink = new LogEventSink({ loggerProvider: logs.provider });
    await logs.provider.shutdown();
    sink.write([failedPrice], { conversationId: 'c', traceId: TRACE_ID, spanId: SPAN_ID });
    expect(sink.stats()).toEqual({ emitted: 0, failed: 0 });
  });
});

describe('events config', () => {
  it('is off by default and rejects a non-boolean, naming the field', () => {
    expect(resolveConfig({}, { env: {} }).events.logs).toBe(false);
    expect(resolveConfig({}, { env: { TRACEJUDGE_EVENTS_LOGS: 'true' } }).events.logs).toBe(true);
    expect(() => resolveConfig({ events: { logs: 'yes' } } as never, { env: {} })).toThrow(ConfigError);
    expect(() => resolveConfig({ events: { logs: 'yes' } } as never, { env: {} })).toThrow(/events\.logs/);
  });
});

describe('createOnlineEvaluation with events.logs', () => {
  let server: OpenAITestServer | undefined;
  let online: OnlineEvaluation | undefined;
  afterEach(async () => {
    await online?.shutdown();
    await server?.close();
    online = undefined;
    server = undefined;
  });

  async function start(logsOn: boolean, loggerProvider: LoggerProvider): Promise<{ tracerProvider: TracerProvider; exporter: CollectingExporter }> {
    installContextManager();
    server = await startOpenAITestServer(() => judgeAnswer(2));
    const exporter = new CollectingExporter();
    const config = resolveConfig(
      {
        sampling: { strata: [{ name: 'all', rate: 1 }] },
        judge: { model: 'gpt-4.1-mini', baseURL: server.baseURL, rubrics: ['faithfulness'], maxRetries: 0, timeout: '5s', scope: 'turn' },
        events: { logs: logsOn },
      },
      { env: { OPENAI_API_KEY: 'test-key' } },
    );
    online = await createOnlineEvaluation(config, { downstream: new SimpleSpanProcessor({ exporter }), judgeOptions: { apiKey: 'test-key' }, loggerProvider });
    return { tracerProvider: new TracerProvider({ spanProcessors: [online.processor] }), exporter };
  }

  it('check results and judge results arrive as log records on the spans they grade', async () => {
    const logs = logPipeline();
    const { tracerProvider, exporter } = await start(true, logs.provider);
    const conversation = startConversation({ id: 'conv-logs', tracerProvider, agentName: 'support', captureContent: true });
    let turnSpanId = '';
    await conversation.turn('How much is the Pro plan?', async (turn) => {
      turnSpanId = turn.span.spanContext().spanId;
      await turn.tool('lookup_plan', { plan: 'Pro' }, () => ({ monthly_price: '$99.00' }));
      turn.reply('The Pro plan costs $129.00 per month.');
    });
    await waitFor(() => logs.records().some((record) => record.attributes['gen_ai.evaluation.name'] === 'faithfulness'));

    const byName = (name: string) => logs.records().filter((record) => record.attributes['gen_ai.evaluation.name'] === name);
    const [price] = byName('commitment.price');
    expect(price.eventName).toBe('gen_ai.evaluation.result');
    expect(price.attributes['gen_ai.evaluation.score.label']).toBe('fail');
    expect(price.attributes['tracejudge.evaluation.source']).toBe('deterministic');
    expect(price.attributes['tracejudge.conversation.id']).toBe('conv-logs');
    // The check result names the span the span event went on: the log record carries its ids.
    const graded = exporter.spans.find((span) => span.spanContext().spanId === price.spanContext?.spanId);
    expect(graded?.events.some((event) => event.name === 'gen_ai.evaluation.result' && event.attributes?.['gen_ai.evaluation.name'] === 'commitment.price')).toBe(true);
    expect(price.spanContext?.traceId).toBe(graded?.spanContext().traceId);

    const [judged] = byName('faithfulness');
    expect(judged.attributes['tracejudge.evaluation.source']).toBe('judge');
    expect(judged.spanContext?.spanId).toBe(turnSpanId);
  });

  it('with events.logs off (the default) no log record is written', async () => {
    const logs = logPipeline();
    const { tracerProvider, exporter } = await start(false, logs.provider);
    const conversation = startConversation({ id: 'conv-nologs', tracerProvider, agentName: 'support', captureContent: true });
    await conversation.turn('How much is the Pro plan?', async (turn) => {
      await turn.tool('lookup_plan', { plan: 'Pro' }, () => ({ monthly_price: '$99.00' }));
      turn.reply('The Pro plan costs $129.00 per month.');
    });
    await waitFor(() => server!.requests.length === 1 && exporter.spans.some((span) => span.events.some((event) => event.attributes?.['gen_ai.evaluation.name'] === 'faithfulness')));
    expect(exporter.spans.some((span) => span.events.some((event) => event.attributes?.['gen_ai.evaluation.name'] === 'commitment.price'))).toBe(true);
    expect(logs.records()).toEqual([]);
  });
});

describe('setupTracejudge with events.logs, inline checks only', () => {
  afterEach(() => {
    // NodeSDK.start registers globals; leave none behind.
    trace.disable();
    context.disable();
    propagation.disable();
    otelLogs.disable();
  });

  it('the check results reach the LoggerProvider NodeSDK installs from sdk.logRecordProcessors', async () => {
    const logExporter = new InMemoryLogRecordExporter();
    const spanExporter = new InMemorySpanExporter();
    const setup = await setupTracejudge({
      serviceName: 'log-events-test',
      exporter: spanExporter,
      config: { events: { logs: true } },
      sdk: { logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: logExporter })] },
    });
    try {
      const conversation = startConversation({ id: 'conv-inline-logs', agentName: 'support', captureContent: true });
      await conversation.turn('How much is the suite?', async (turn) => {
        await turn.tool('lookup_price', { room: 'suite' }, () => ({ price: '$249.00' }));
        turn.reply('The suite is $199.00 per night.');
      });
      // NodeSDK's resource detectors are async: the simple processor exports once they settle.
      await waitFor(() => logExporter.getFinishedLogRecords().length > 0);
      const price = logExporter.getFinishedLogRecords().find((record) => record.attributes['gen_ai.evaluation.name'] === 'commitment.price');
      expect(price?.eventName).toBe('gen_ai.evaluation.result');
      expect(price?.attributes['gen_ai.evaluation.score.label']).toBe('fail');
      expect(price?.attributes['tracejudge.conversation.id']).toBe('conv-inline-logs');
    } finally {
      await setup.shutdown();
    }
  });
});
