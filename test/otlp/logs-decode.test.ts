import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { decodeLogsRequestJson, decodeLogsRequestProtobuf, genAIContentOf, OtlpDecodeError } from '../../src/otlp/index.ts';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

/** Real SDK log records, as the contrib OpenAI instrumentation emits them (and one plain app log). */
async function sdkRecords(): Promise<ReadableLogRecord[]> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('@opentelemetry/instrumentation-openai');
  const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 });
  logger.emit({ timestamp: 1_760_000_000_000, context, attributes: { 'event.name': 'gen_ai.user.message', 'gen_ai.system': 'openai' }, body: { content: 'Is 10:30 free?' } });
  logger.emit({
    timestamp: 1_760_000_000_500,
    context,
    attributes: { 'event.name': 'gen_ai.choice', 'gen_ai.system': 'openai' },
    body: { index: 0, finish_reason: 'stop', message: { content: 'Yes, 10:30 is free.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'book', arguments: '{"n":2}' } }] } },
  });
  logger.emit({ eventName: 'gen_ai.client.inference.operation.details', context, attributes: { 'gen_ai.output.messages': [{ role: 'assistant', parts: [{ type: 'text', content: 'ok' }] }] } });
  logger.emit({ body: 'an app log line without a span' });
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

describe('logs requests from the official serializers', () => {
  for (const [encoding, serialize, decode] of [
    ['protobuf', (records: ReadableLogRecord[]) => ProtobufLogsSerializer.serializeRequest(records)!, decodeLogsRequestProtobuf],
    ['json', (records: ReadableLogRecord[]) => JsonLogsSerializer.serializeRequest(records)!, decodeLogsRequestJson],
  ] as const) {
    it(`${encoding}: ids, event names (field or attribute), times, attributes and AnyValue bodies`, async () => {
      const decoded = decode(serialize(await sdkRecords()));
      expect(decoded.rejected).toEqual([]);
      expect(decoded.records).toHaveLength(4);
      const [user, choice, details, plain] = decoded.records;
      expect(user).toMatchObject({ traceId: TRACE, spanId: SPAN, eventName: '', timeUnixNano: 1_760_000_000_000_000_000n, body: { content: 'Is 10:30 free?' } });
      expect(user!.attributes['event.name']).toBe('gen_ai.user.message');
      expect(choice!.body).toEqual({
        index: 0,
        finish_reason: 'stop',
        message: { content: 'Yes, 10:30 is free.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'book', arguments: '{"n":2}' } }] },
      });
      expect(details).toMatchObject({ eventName: 'gen_ai.client.inference.operation.details' });
      expect(details!.attributes['gen_ai.output.messages']).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'ok' }] }]);
      expect(plain).toMatchObject({ body: 'an app log line without a span' });
      expect(plain!.traceId).toBeUndefined();
      // Only GenAI content is joined: the app's own log line is not.
      expect(genAIContentOf(decoded.records).map((entry) => [entry.spanId, entry.record.eventName])).toEqual([
        [SPAN, 'gen_ai.user.message'],
        [SPAN, 'gen_ai.choice'],
        [SPAN, 'gen_ai.client.inference.operation.details'],
      ]);
    });
  }
});

describe('malformed logs requests', () => {
  const request = (records: unknown[]) => JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] });

  it('rejects a record alone when its ids are malformed, keeping the others', () => {
    const decoded = decodeLogsRequestJson(request([{ traceId: 'abc', body: { stringValue: 'x' } }, { spanId: SPAN, body: { stringValue: 'kept' } }, { traceId: '', spanId: '0000000000000000' }]));
    expect(decoded.records.map((record) => record.body ?? null)).toEqual(['kept', null]);
    expect(decoded.rejected.map((rejection) => rejection.message)).toEqual([expect.stringMatching(/resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.traceId: expected 32 hex characters/)]);
  });

  it('refuses a body that is not a request at all, naming why', () => {
    expect(() => decodeLogsRequestJson('{"resourceLogs": ')).toThrow(OtlpDecodeError);
    expect(() => decodeLogsRequestJson('[]')).toThrow(/expected an ExportLogsServiceRequest object/);
    expect(() => decodeLogsRequestJson(request([{ body: { stringValue: 1 } }]))).not.toThrow();
    expect(decodeLogsRequestJson(request([{ body: { stringValue: 1 } }])).rejected[0]!.message).toMatch(/body.*expected a string/);
    expect(() => decodeLogsRequestProtobuf(Buffer.from([0x0a, 0x05, 0xff]))).toThrow(/not a valid OTLP protobuf ExportLogsServiceRequest/);
  });
});
