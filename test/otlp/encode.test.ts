import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { Reader } from 'protobufjs';
import { describe, expect, it } from 'vitest';
import type { DecodedSpan } from '../../src/otlp/index.ts';
import {
  decodeTraceRequestJson,
  decodeTraceRequestProtobuf,
  encodeExportTraceResponse,
  encodeRpcStatus,
  encodeTraceRequestJson,
  RpcCode,
} from '../../src/otlp/index.ts';
import { agentSpans } from './sdk-spans.ts';
import { resultEventNanos } from '../../src/results/event-time.ts';

/** Everything a decoded span carries, including which integral numbers were doubles on the wire. */
function wireView(spans: readonly DecodedSpan[]) {
  return JSON.parse(encodeTraceRequestJson(spans));
}

function plain(span: DecodedSpan) {
  return {
    ids: [span.traceId, span.spanId, span.parentSpanId, span.traceState, span.flags],
    name: span.name,
    kind: span.kind,
    times: [span.startTimeUnixNano, span.endTimeUnixNano],
    attributes: span.attributes,
    events: span.events.map((e) => [e.name, e.timeUnixNano, e.attributes, e.droppedAttributesCount]),
    links: span.links,
    dropped: [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
    status: span.status,
    resource: [span.resource.attributes, span.resource.droppedAttributesCount, span.resource.schemaUrl],
    scope: [span.scope.name, span.scope.version, span.scope.attributes, span.scope.droppedAttributesCount, span.scope.schemaUrl],
  };
}

/** What the official serializer cannot write back faithfully, written by hand in OTLP/JSON. */
const EDGE_CASES = {
  resourceSpans: [
    {
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: 'edge' } },
          { key: 'host.labels', value: { kvlistValue: { values: [{ key: 'zone', value: { stringValue: 'eu-1' } }] } } },
        ],
        droppedAttributesCount: 2,
      },
      scopeSpans: [
        {
          scope: { name: 'go.opentelemetry.io/otel', version: '1.30.0', attributes: [{ key: 'scope.attr', value: { boolValue: true } }] },
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
              parentSpanId: 'aaaaaaaaaaaaaaaa',
              flags: 0x301,
              name: 'unspecified kind',
              startTimeUnixNano: '1750000000000000001',
              endTimeUnixNano: '18446744073709551615',
              attributes: [
                { key: 'big', value: { intValue: '-9223372036854775808' } },
                { key: 'two', value: { doubleValue: 2 } },
                { key: 'twoInt', value: { intValue: '2' } },
                { key: 'nan', value: { doubleValue: 'NaN' } },
                { key: 'inf', value: { doubleValue: '-Infinity' } },
                { key: 'empty', value: {} },
                { key: 'bytes', value: { bytesValue: 'AAEC/w==' } },
                { key: 'list', value: { arrayValue: { values: [{ doubleValue: 1 }, { intValue: '1' }, {}] } } },
                { key: '__proto__', value: { stringValue: 'stays an attribute' } },
              ],
              droppedAttributesCount: 3,
              events: [{ timeUnixNano: '1750000000000000002', name: 'e', droppedAttributesCount: 1 }],
              droppedEventsCount: 4,
              links: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'bbbbbbbbbbbbbbbb', traceState: 'a=b', flags: 0x101 }],
              droppedLinksCount: 5,
              status: { message: 'boom', code: 2 },
            },
          ],
          schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
        },
      ],
      schemaUrl: 'https://opentelemetry.io/schemas/1.25.0',
    },
  ],
};

describe('encodeTraceRequestJson', () => {
  it('decode(encode(spans)) equals the spans, for official SDK payloads in both encodings', async () => {
    const sdkSpans = await agentSpans();
    for (const decoded of [
      decodeTraceRequestJson(JsonTraceSerializer.serializeRequest(sdkSpans)!).spans,
      decodeTraceRequestProtobuf(ProtobufTraceSerializer.serializeRequest(sdkSpans)!).spans,
    ]) {
      const again = decodeTraceRequestJson(encodeTraceRequestJson(decoded)).spans;
      expect(again.map(plain)).toEqual(decoded.map(plain));
    }
  });

  it('writes back what the official serializer would lose: bigint, integral doubles, flags, kind 0, resource kvlists, dropped counts', () => {
    const decoded = decodeTraceRequestJson(JSON.stringify(EDGE_CASES));
    expect(decoded.rejected).toEqual([]);
    const span = decoded.spans[0];
    expect(span.attributes.big).toBe(-9223372036854775808n);
    expect(Object.keys(span.attributes)).toContain('__proto__');
    expect(Object.getPrototypeOf(span.attributes)).toBe(Object.prototype);
    // Written back field for field, in the same layout (defaults omitted on both sides).
    expect(JSON.parse(encodeTraceRequestJson(decoded.spans))).toEqual(EDGE_CASES);
    expect(decodeTraceRequestJson(encodeTraceRequestJson(decoded.spans)).spans.map(plain)).toEqual(decoded.spans.map(plain));
  });

  it('writes events added after decoding, numbers as OTLP intValue / doubleValue', () => {
    const decoded = decodeTraceRequestJson(JSON.stringify(EDGE_CASES)).spans;
    decoded[0].addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'commitment.price', 'gen_ai.evaluation.score.value': 0.5, n: 3 });
    const event = wireView(decoded).resourceSpans[0].scopeSpans[0].spans[0].events[1];
    expect(event).toEqual({
      // At the span's end as a whole µs (results/event-time.ts), here of the largest fixed64 end.
      timeUnixNano: String(resultEventNanos(decoded[0].startTimeUnixNano, decoded[0].endTimeUnixNano)),
      name: 'gen_ai.evaluation.result',
      attributes: [
        { key: 'gen_ai.evaluation.name', value: { stringValue: 'commitment.price' } },
        { key: 'gen_ai.evaluation.score.value', value: { doubleValue: 0.5 } },
        { key: 'n', value: { intValue: '3' } },
      ],
    });
  });

  it('keeps spans of different resources and scopes apart, in first-seen order', async () => {
    const body = {
      resourceSpans: [0, 1].map((r) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${r}` } }] },
        scopeSpans: [0, 1].map((s) => ({
          scope: { name: `scope-${s}` },
          spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: `${r}${s}00000000000001`, name: `${r}/${s}` }],
        })),
      })),
    };
    const decoded = decodeTraceRequestJson(JSON.stringify(body));
    expect(JSON.parse(encodeTraceRequestJson(decoded.spans))).toEqual({
      resourceSpans: body.resourceSpans.map((rs) => ({
        resource: rs.resource,
        scopeSpans: rs.scopeSpans.map((ss) => ({ ...ss, spans: ss.spans.map((s) => ({ ...s, status: {} })) })),
      })),
    });
  });
});

describe('responses', () => {
  it('ExportTraceServiceResponse reads back through the official exporters’ deserializers', () => {
    const partial = { rejectedSpans: 2, errorMessage: 'resourceSpans[0].scopeSpans[0].spans[1].traceId: missing' };
    expect(ProtobufTraceSerializer.deserializeResponse(encodeExportTraceResponse('protobuf', partial))).toEqual({ partialSuccess: partial });
    expect(JsonTraceSerializer.deserializeResponse(encodeExportTraceResponse('json', partial))).toEqual({
      partialSuccess: { rejectedSpans: '2', errorMessage: partial.errorMessage },
    });
    expect(encodeExportTraceResponse('protobuf')).toHaveLength(0);
    expect(JSON.parse(Buffer.from(encodeExportTraceResponse('json')).toString())).toEqual({});
  });

  it('google.rpc.Status: code = field 1, message = field 2; JSON {code, message}', () => {
    const bytes = encodeRpcStatus('protobuf', RpcCode.INVALID_ARGUMENT, 'not valid JSON');
    const reader = Reader.create(bytes);
    expect(reader.uint32()).toBe((1 << 3) | 0);
    expect(reader.int32()).toBe(3);
    expect(reader.uint32()).toBe((2 << 3) | 2);
    expect(reader.string()).toBe('not valid JSON');
    expect(reader.pos).toBe(bytes.length);
    expect(JSON.parse(Buffer.from(encodeRpcStatus('json', 8, 'slow down')).toString())).toEqual({ code: 8, message: 'slow down' });
  });
});
