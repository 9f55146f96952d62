import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { JsonLogsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import {
  decodeLogsRequestJson,
  decodeLogsRequestProtobuf,
  decodeTraceRequestJson,
  decodeTraceRequestProtobuf,
  logsRequestJsonToProtobuf,
  OtlpDecodeError,
  traceRequestJsonToProtobuf,
} from '../../src/otlp/index.ts';
import { agentSpans, decodedView } from './sdk-spans.ts';

describe('OTLP/JSON re-encoded as protobuf (for a gRPC upstream)', () => {
  it('a trace request from the official JSON serializer decodes from protobuf to the same spans', async () => {
    const json = JsonTraceSerializer.serializeRequest(await agentSpans())!;
    const fromJson = decodeTraceRequestJson(Buffer.from(json).toString('utf8'));
    const fromProtobuf = decodeTraceRequestProtobuf(traceRequestJsonToProtobuf(json));
    expect(fromJson.spans.length).toBeGreaterThanOrEqual(2);
    expect(fromJson.spans.some((span) => span.events.length > 0 || span.parentSpanId !== undefined)).toBe(true);
    expect(fromProtobuf.rejected).toEqual([]);
    expect(fromProtobuf.spans.map(decodedView)).toEqual(fromJson.spans.map(decodedView));
  });

  it('a logs request from the official JSON serializer decodes from protobuf to the same records', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', traceFlags: 1 });
    const logger = provider.getLogger('@opentelemetry/instrumentation-openai');
    logger.emit({ timestamp: 1_760_000_000_123, context, attributes: { 'event.name': 'gen_ai.choice', count: 3, ratio: 0.5 }, body: { index: 0, message: { content: 'Yes, 10:30 is free.' } } });
    logger.emit({ eventName: 'gen_ai.client.inference.operation.details', severityNumber: 9, severityText: 'INFO', body: 'plain' });
    await provider.forceFlush();
    const json = JsonLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())!;
    const fromJson = decodeLogsRequestJson(json).records;
    const fromProtobuf = decodeLogsRequestProtobuf(logsRequestJsonToProtobuf(json)).records;
    expect(fromJson).toHaveLength(2);
    expect(fromProtobuf).toEqual(fromJson);
  });

  it('refuses what is not an OTLP/JSON request, naming where', () => {
    expect(() => logsRequestJsonToProtobuf('not json')).toThrow(OtlpDecodeError);
    expect(() => traceRequestJsonToProtobuf('[1]')).toThrow('the trace request is not a JSON object');
    expect(() => traceRequestJsonToProtobuf(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'zz', spanId: 'eee19b7ec3c1b174' }] }] }] }))).toThrow(
      'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected a hex id, got "zz"',
    );
  });
});
