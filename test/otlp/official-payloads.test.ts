import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeTraceRequestJson, decodeTraceRequestProtobuf } from '../../src/otlp/index.ts';
import { agentSpans, decodedView as view, hrTimeToNanos, inputMessages } from './sdk-spans.ts';
import { resultEventNanos } from '../../src/results/event-time.ts';

describe('decoding what the official OTLP serializers produce from real SDK spans', () => {
  let sdkSpans: ReadableSpan[];
  let fromJson: ReturnType<typeof decodeTraceRequestJson>;
  let fromProtobuf: ReturnType<typeof decodeTraceRequestProtobuf>;

  beforeAll(async () => {
    sdkSpans = await agentSpans();
    fromJson = decodeTraceRequestJson(JsonTraceSerializer.serializeRequest(sdkSpans)!);
    fromProtobuf = decodeTraceRequestProtobuf(ProtobufTraceSerializer.serializeRequest(sdkSpans)!);
  });

  it('accepts every span from both encodings', () => {
    expect(fromJson.rejected).toEqual([]);
    expect(fromProtobuf.rejected).toEqual([]);
    expect(fromJson.spans.map((s) => s.name)).toEqual(['chat gpt-4.1-mini', 'invoke_agent concierge']);
  });

  it('decodes JSON and protobuf to the same spans', () => {
    expect(fromProtobuf.spans.map(view)).toEqual(fromJson.spans.map(view));
  });

  it('keeps ids, kinds, parents, status, resource and scope of the SDK spans', () => {
    for (const decoded of fromJson.spans) {
      const sdk = sdkSpans.find((s) => s.spanContext().spanId === decoded.spanId)!;
      expect(decoded.traceId).toBe(sdk.spanContext().traceId);
      expect(decoded.parentSpanId).toBe(sdk.parentSpanContext?.spanId);
      expect(decoded.kind).toBe(sdk.kind + 1);
      expect(decoded.status).toEqual(sdk.status.message ? sdk.status : { code: sdk.status.code });
      expect(decoded.resourceAttributes).toEqual({ 'service.name': 'concierge', 'deployment.environment': 'test' });
      expect(decoded.scope).toMatchObject({ name: 'tracejudge-test', version: '1.2.3', schemaUrl: 'https://opentelemetry.io/schemas/1.37.0' });
    }
  });

  it('keeps nanosecond times exactly', () => {
    const chat = fromProtobuf.spans.find((s) => s.name.startsWith('chat'))!;
    expect(chat.startTimeUnixNano).toBe(1750000001999999999n);
    expect(chat.endTimeUnixNano).toBe(1750000002000000001n);
    const agent = fromJson.spans.find((s) => s.name.startsWith('invoke_agent'))!;
    expect(agent.startTimeUnixNano).toBe(hrTimeToNanos([1750000000, 123456789]));
    expect(agent.toReadableSpan().startTime).toEqual([1750000000, 123456789]);
    expect(agent.toReadableSpan().duration).toEqual([3, 864197532]);
  });

  it('keeps structured attribute values: kvlists, arrays, ints, doubles, bools, bytes', () => {
    for (const decoded of [fromJson, fromProtobuf]) {
      const chat = decoded.spans.find((s) => s.name.startsWith('chat'))!;
      expect(chat.attributes).toEqual({
        'gen_ai.input.messages': inputMessages,
        'gen_ai.usage.input_tokens': 1234,
        'gen_ai.request.temperature': 0.25,
        'app.escalated': false,
        'tags': ['a', 'b'],
        'nested': { level1: { level2: { values: [1, 2.5, 'x', true] } } },
        'raw': new Uint8Array([0, 1, 2, 254, 255]),
      });
      expect(chat.events).toHaveLength(1);
      expect(chat.events[0]).toMatchObject({ name: 'gen_ai.choice', timeUnixNano: 1750000002000000000n, attributes: { index: 0, reason: 'stop' } });
      expect(chat.sizes.largestChars).toBe('Room prices: standard 129 EUR, suite 249 EUR.'.length);
    }
  });

  it('keeps links with their attributes', () => {
    const agent = fromProtobuf.spans.find((s) => s.name.startsWith('invoke_agent'))!;
    const sdkLink = sdkSpans.find((s) => s.name.startsWith('invoke_agent'))!.links[0];
    expect(agent.links).toEqual([
      expect.objectContaining({ traceId: sdkLink.context.traceId, spanId: sdkLink.context.spanId, attributes: { 'link.reason': 'retry' } }),
    ]);
  });

  it('hands the official serializers ReadableSpans that serialize to the same request as the SDK spans', () => {
    for (const decoded of [fromJson, fromProtobuf]) {
      const readable = decoded.spans.map((s) => s.toReadableSpan());
      const again = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(readable)));
      const original = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(sdkSpans)));
      expect(again).toEqual(original);
      expect(Buffer.from(ProtobufTraceSerializer.serializeRequest(readable)!)).toEqual(
        Buffer.from(ProtobufTraceSerializer.serializeRequest(sdkSpans)!),
      );
    }
  });

  it('exports events the pipeline adds to a decoded span', () => {
    const chat = decodeTraceRequestJson(JsonTraceSerializer.serializeRequest(sdkSpans)!).spans[0];
    chat.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'commitment.price', 'gen_ai.evaluation.score.label': 'fail' });
    const request = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest([chat.toReadableSpan()])));
    const events = request.resourceSpans[0].scopeSpans[0].spans[0].events;
    expect(events.map((e: { name: string }) => e.name)).toEqual(['gen_ai.choice', 'gen_ai.evaluation.result']);
    // Stamped at the span's end as a whole µs (results/event-time.ts): reproducible, and inside the span on any timeline.
    expect(chat.events[1]!.timeUnixNano).toBe(resultEventNanos(chat.startTimeUnixNano, chat.endTimeUnixNano));
    // The official serializer goes through HrTime (numbers): within a microsecond of it, inside the span.
    const written = BigInt(events[1].timeUnixNano);
    expect(written >= chat.startTimeUnixNano && written <= chat.endTimeUnixNano).toBe(true);
  });
});
