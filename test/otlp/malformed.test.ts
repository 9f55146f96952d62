import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { Writer } from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  decodeTraceRequestJson,
  decodeTraceRequestProtobuf,
  MAX_ANY_VALUE_DEPTH,
  OtlpDecodeError,
} from '../../src/otlp/index.ts';
import { ProtoTypes } from '../../src/otlp/proto-schema.ts';
import { recordSpans } from './sdk-spans.ts';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

/** A JSON request with the given spans under one resource and scope. */
function jsonRequest(spans: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's' }, spans, ...extra }] }],
  });
}

function span(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { traceId: TRACE, spanId: SPAN, name: 'chat', kind: 3, startTimeUnixNano: '1', endTimeUnixNano: '2', ...fields };
}

function decodeError(run: () => unknown): OtlpDecodeError {
  try {
    run();
  } catch (error) {
    if (error instanceof OtlpDecodeError) return error;
    throw error;
  }
  throw new Error('expected an OtlpDecodeError');
}

/** Protobuf bytes built from plain values with our schema (ids as raw bytes). */
function protobufRequest(spans: Record<string, unknown>[]): Uint8Array {
  const type = ProtoTypes.ExportTraceServiceRequest;
  return type.encode(type.fromObject({ resourceSpans: [{ scopeSpans: [{ scope: { name: 's' }, spans }] }] })).finish();
}

function pbSpan(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: Buffer.from(TRACE, 'hex'),
    spanId: Buffer.from(SPAN, 'hex'),
    name: 'chat',
    kind: 3,
    startTimeUnixNano: '1',
    endTimeUnixNano: '2',
    ...fields,
  };
}

function nestedKvlistJson(depth: number): unknown {
  let value: unknown = { stringValue: 'bottom' };
  for (let i = 0; i < depth; i++) value = { kvlistValue: { values: [{ key: 'k', value }] } };
  return value;
}

function field(number: number, bytes: Uint8Array): Uint8Array {
  return Writer.create().uint32((number << 3) | 2).bytes(bytes).finish();
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * A request whose one span has an attribute nested `depth` kvlists deep,
 * written field by field (protobufjs's own fromObject refuses such depth).
 */
function nestedKvlistProtobuf(depth: number, spanId = SPAN): Uint8Array {
  const key = (k: string) => Writer.create().uint32((1 << 3) | 2).string(k).finish();
  let anyValue = Writer.create().uint32((1 << 3) | 2).string('bottom').finish(); // AnyValue.string_value
  for (let i = 0; i < depth; i++) {
    const keyValue = concat(key('k'), field(2, anyValue)); // KeyValue{key, value}
    anyValue = field(6, field(1, keyValue)); // AnyValue.kvlist_value{values}
  }
  const attribute = concat(key('deep'), field(2, anyValue));
  const spanBytes = concat(
    ProtoTypes.ExportTraceServiceRequest.lookupType('Span').encode(pbSpan({ spanId: Buffer.from(spanId, 'hex') })).finish(),
    field(9, attribute),
  );
  return field(1, field(2, field(2, spanBytes))); // request.resource_spans.scope_spans.spans
}

describe('an empty body', () => {
  it('is an empty request in both encodings', () => {
    expect(decodeTraceRequestJson(new Uint8Array())).toEqual({ spans: [], rejected: [] });
    expect(decodeTraceRequestJson('  \n')).toEqual({ spans: [], rejected: [] });
    expect(decodeTraceRequestJson('{}')).toEqual({ spans: [], rejected: [] });
    expect(decodeTraceRequestProtobuf(new Uint8Array())).toEqual({ spans: [], rejected: [] });
  });
});

describe('unknown fields', () => {
  it('are ignored at every level, as protobuf JSON requires', () => {
    const body = JSON.stringify({
      future: 1,
      resourceSpans: [
        {
          resource: { attributes: [], entityRefs: [{ type: 'service' }] },
          scopeSpans: [{ scope: { name: 's', extra: true }, spans: [span({ newField: { nested: 1 }, attributes: [{ key: 'k', value: { stringValue: 'v', futureValue: 3 } }] })] }],
          newThing: 'x',
        },
      ],
    });
    const decoded = decodeTraceRequestJson(body);
    expect(decoded.rejected).toEqual([]);
    expect(decoded.spans[0].attributes).toEqual({ k: 'v' });
  });
});

describe('bodies that are not a request at all', () => {
  it('random bytes are refused as protobuf, naming the wire problem', () => {
    const bytes = new Uint8Array([0xff, 0xff, 0xff, 0x7f, 0x13, 0x37, 0x00, 0x42]);
    expect(decodeError(() => decodeTraceRequestProtobuf(bytes)).message).toMatch(
      /^not a valid OTLP protobuf ExportTraceServiceRequest: invalid wire type 7/,
    );
  });

  it('a truncated protobuf request is refused', async () => {
    const full = ProtobufTraceSerializer.serializeRequest(await recordSpans([{ name: 'a' }]))!;
    const error = decodeError(() => decodeTraceRequestProtobuf(full.subarray(0, full.length - 20)));
    expect(error.message).toMatch(/^not a valid OTLP protobuf ExportTraceServiceRequest: index out of range/);
  });

  it('protobuf strings that are not UTF-8 are refused, short or long (proto3 strings are UTF-8)', () => {
    for (const length of [3, 200]) {
      const bad = Buffer.alloc(length, 0x61);
      bad[1] = 0xff; // never valid in UTF-8
      const keyValue = concat(Writer.create().uint32((1 << 3) | 2).string('k').finish(), field(2, field(1, bad)));
      const spanBytes = concat(ProtoTypes.ExportTraceServiceRequest.lookupType('Span').encode(pbSpan()).finish(), field(9, keyValue));
      const body = field(1, field(2, field(2, spanBytes)));
      expect(decodeError(() => decodeTraceRequestProtobuf(body)).message).toMatch(/^not a valid OTLP protobuf ExportTraceServiceRequest: /);
    }
  });

  it('a protobuf AnyValue with two members set rejects its span, naming the attribute', () => {
    const anyValue = concat(
      Writer.create().uint32((1 << 3) | 2).string('text').finish(), // string_value
      Writer.create().uint32((2 << 3) | 0).bool(true).finish(), // bool_value
    );
    const keyValue = concat(Writer.create().uint32((1 << 3) | 2).string('both').finish(), field(2, anyValue));
    const spanBytes = concat(ProtoTypes.ExportTraceServiceRequest.lookupType('Span').encode(pbSpan()).finish(), field(9, keyValue));
    const result = decodeTraceRequestProtobuf(field(1, field(2, field(2, spanBytes))));
    expect(result.spans).toEqual([]);
    expect(result.rejected[0].message).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].attributes["both"]: an AnyValue with more than one member set (stringValue, boolValue)',
    );
  });

  it('protobuf members set to their default value are kept (false, 0, "")', () => {
    const attributes = [
      { key: 'f', value: { boolValue: false } },
      { key: 'z', value: { intValue: 0 } },
      { key: 'd', value: { doubleValue: 0 } },
      { key: 'e', value: { stringValue: '' } },
    ];
    const decoded = decodeTraceRequestProtobuf(protobufRequest([pbSpan({ attributes })]));
    expect(decoded.spans[0].attributes).toEqual({ f: false, z: 0, d: 0, e: '' });
  });

  it('protobuf strings keep every character: ASCII, accents, curly quotes, emoji, short and long', () => {
    const values = ['plain ascii', 'café ’ 😀', `${'x'.repeat(100)} naïve ’quoted’ 😀 ${'y'.repeat(100)}`, ''];
    const attributes = values.map((text, i) => ({ key: `k${i}`, value: { stringValue: text } }));
    const decoded = decodeTraceRequestProtobuf(protobufRequest([pbSpan({ name: 'chat ’x’', attributes })]));
    expect(decoded.rejected).toEqual([]);
    expect(decoded.spans[0].name).toBe('chat ’x’');
    expect(Object.values(decoded.spans[0].attributes)).toEqual(values);
  });

  it('text that is not JSON is refused with the parser reason, not the content', () => {
    const error = decodeError(() => decodeTraceRequestJson('{"resourceSpans": [secret-customer-text'));
    expect(error.message).toMatch(/^not valid JSON: Unexpected token/);
    expect(error.message).not.toContain('secret-customer-text');
  });

  it('bytes that are not UTF-8 are refused as JSON', () => {
    expect(decodeError(() => decodeTraceRequestJson(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).message).toBe(
      'not valid UTF-8 (OTLP/JSON bodies are UTF-8 JSON)',
    );
  });

  it('a JSON array is not a request', () => {
    expect(decodeError(() => decodeTraceRequestJson('[]')).message).toBe('(request): expected an object, got array');
  });
});

describe('wrong JSON structure outside spans fails the request with the path', () => {
  it('"spans": {} is not an array', () => {
    expect(decodeError(() => decodeTraceRequestJson(jsonRequest({}))).message).toBe(
      'resourceSpans[0].scopeSpans[0].spans: expected an array, got object',
    );
  });

  it('"resourceSpans": "x" is not an array', () => {
    expect(decodeError(() => decodeTraceRequestJson('{"resourceSpans":"x"}')).message).toBe(
      'resourceSpans: expected an array, got "x"',
    );
  });

  it('a resource attribute with a wrong value type', () => {
    const body = JSON.stringify({
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 5 } }] }, scopeSpans: [] }],
    });
    expect(decodeError(() => decodeTraceRequestJson(body)).message).toBe(
      'resourceSpans[0].resource.attributes["service.name"].stringValue: expected a string, got 5',
    );
  });
});

describe('a bad value inside a span rejects that span only', () => {
  const good = span({ spanId: 'aaaaaaaaaaaaaaaa' });

  function rejectedWith(bad: Record<string, unknown>) {
    const result = decodeTraceRequestJson(jsonRequest([good, bad, good]));
    expect(result.spans.map((s) => s.spanId)).toEqual(['aaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaa']);
    expect(result.rejected).toHaveLength(1);
    return result.rejected[0].message;
  }

  it('"kind": "x"', () => {
    expect(rejectedWith(span({ kind: 'x' }))).toBe(
      'resourceSpans[0].scopeSpans[0].spans[1].kind: expected an integer 0..5 or a name such as "SPAN_KIND_INTERNAL", got "x"',
    );
  });

  it('enum names are tolerated, numbers out of range are not', () => {
    const result = decodeTraceRequestJson(jsonRequest([span({ kind: 'SPAN_KIND_SERVER', status: { code: 'STATUS_CODE_ERROR' } })]));
    expect(result.spans[0].kind).toBe(2);
    expect(result.spans[0].status.code).toBe(2);
    expect(rejectedWith(span({ kind: 9 }))).toMatch(/spans\[1\]\.kind: expected an integer 0\.\.5/);
    expect(rejectedWith(span({ status: { code: 3 } }))).toMatch(/spans\[1\]\.status\.code: expected an integer 0\.\.2/);
  });

  it('intValue: "12a"', () => {
    const bad = span({ attributes: [{ key: 'gen_ai.usage.input_tokens', value: { intValue: '12a' } }] });
    expect(rejectedWith(bad)).toBe(
      'resourceSpans[0].scopeSpans[0].spans[1].attributes["gen_ai.usage.input_tokens"].intValue: expected a 64-bit integer (decimal string or number), got "12a"',
    );
  });

  it('64-bit integers as strings or numbers; beyond 2^53 exactly, as bigint', () => {
    const result = decodeTraceRequestJson(
      jsonRequest([
        span({
          attributes: [
            { key: 'a', value: { intValue: '42' } },
            { key: 'b', value: { intValue: 42 } },
            { key: 'c', value: { intValue: '9223372036854775807' } },
          ],
        }),
      ]),
    );
    expect(result.spans[0].attributes).toEqual({ a: 42, b: 42, c: 9223372036854775807n });
    expect(result.spans[0].sizes.hasBigInt).toBe(true);
    expect(rejectedWith(span({ attributes: [{ key: 'c', value: { intValue: '9223372036854775808' } }] }))).toMatch(
      /expected a 64-bit integer/,
    );
  });

  it('times that are not unsigned 64-bit integers', () => {
    expect(rejectedWith(span({ startTimeUnixNano: '-5' }))).toBe(
      'resourceSpans[0].scopeSpans[0].spans[1].startTimeUnixNano: expected an unsigned 64-bit integer (decimal string or number), got "-5"',
    );
  });

  it('an AnyValue with two members set', () => {
    const bad = span({ attributes: [{ key: 'x', value: { stringValue: 'a', intValue: '1' } }] });
    expect(rejectedWith(bad)).toMatch(/attributes\["x"\]: AnyValue sets both stringValue and intValue/);
  });

  it('attributes that are not an array', () => {
    expect(rejectedWith(span({ attributes: { a: 1 } }))).toBe(
      'resourceSpans[0].scopeSpans[0].spans[1].attributes: expected an array, got object',
    );
  });

  it('a span that is not an object', () => {
    expect(rejectedWith(7 as unknown as Record<string, unknown>)).toBe(
      'resourceSpans[0].scopeSpans[0].spans[1]: expected a span object, got 7',
    );
  });
});

describe('invalid ids', () => {
  function rejection(fields: Record<string, unknown>): string {
    const result = decodeTraceRequestJson(jsonRequest([span(fields)]));
    expect(result.spans).toEqual([]);
    return result.rejected[0].message;
  }

  it('wrong length, not hex, all zeros, missing', () => {
    expect(rejection({ traceId: 'xyz' })).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex characters, got "xyz"',
    );
    expect(rejection({ spanId: 'zzzzzzzzzzzzzzzz' })).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].spanId: expected 16 hex characters, got "zzzzzzzzzzzzzzzz"',
    );
    expect(rejection({ traceId: '0'.repeat(32) })).toMatch(/traceId: must not be all zeros/);
    expect(rejection({ spanId: undefined })).toBe('resourceSpans[0].scopeSpans[0].spans[0].spanId: missing');
    expect(rejection({ parentSpanId: '123' })).toMatch(/parentSpanId: expected 16 hex characters, got "123"/);
    expect(rejection({ links: [{ traceId: TRACE, spanId: 'nothex!!' }] })).toMatch(/links\[0\]\.spanId: expected 16 hex/);
  });

  it('base64 ids are refused with a hint', () => {
    const base64 = Buffer.from(TRACE, 'hex').toString('base64');
    expect(rejection({ traceId: base64 })).toBe(
      `resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex characters, got "${base64}" (this looks like base64: OTLP/JSON ids are hex, opentelemetry-proto docs/specification.md)`,
    );
  });

  it('snake_case keys are named in the reason', () => {
    const { traceId, ...rest } = span();
    expect(rejection({ ...rest, traceId: undefined, trace_id: traceId })).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].traceId: missing (found "trace_id": OTLP/JSON keys are lowerCamelCase)',
    );
  });

  it('uppercase hex is read, lowercased; an empty or all-zero parent means a root span', () => {
    const result = decodeTraceRequestJson(jsonRequest([span({ traceId: TRACE.toUpperCase(), parentSpanId: '0000000000000000' }), span({ parentSpanId: '' })]));
    expect(result.spans.map((s) => [s.traceId, s.parentSpanId])).toEqual([
      [TRACE, undefined],
      [TRACE, undefined],
    ]);
  });

  it('protobuf ids of the wrong length or all zeros', () => {
    const result = decodeTraceRequestProtobuf(
      protobufRequest([
        pbSpan({ traceId: Buffer.from('abc') }),
        pbSpan({ spanId: Buffer.alloc(8) }),
        pbSpan(),
        pbSpan({ traceId: Buffer.alloc(0) }),
      ]),
    );
    expect(result.spans).toHaveLength(1);
    expect(result.rejected.map((r) => r.message)).toEqual([
      'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 16 bytes, got 3',
      'resourceSpans[0].scopeSpans[0].spans[1].spanId: must not be all zeros (an invalid id, W3C Trace Context)',
      'resourceSpans[0].scopeSpans[0].spans[3].traceId: missing',
    ]);
  });

  it('a protobuf span kind outside the enum', () => {
    const result = decodeTraceRequestProtobuf(protobufRequest([pbSpan({ kind: 17 })]));
    expect(result.rejected[0].message).toBe('resourceSpans[0].scopeSpans[0].spans[0].kind: expected a span kind 0..5, got 17');
  });
});

describe('huge attributes are decoded whole, with their size noted', () => {
  const huge = 'x'.repeat(1024 * 1024);

  it('a 1 MiB string from the official JSON and protobuf serializers', async () => {
    const spans = await recordSpans([{ name: 'chat', attributes: { 'gen_ai.output.messages': huge, small: 'ok' } }]);
    for (const decoded of [
      decodeTraceRequestJson(JsonTraceSerializer.serializeRequest(spans)!),
      decodeTraceRequestProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!),
    ]) {
      expect(decoded.rejected).toEqual([]);
      expect(decoded.spans[0].attributes['gen_ai.output.messages']).toBe(huge);
      expect(decoded.spans[0].sizes).toEqual({ values: 2, totalChars: huge.length + 2, largestChars: huge.length, hasBigInt: false });
    }
  });
});

describe('deeply nested kvlists are capped', () => {
  it(`JSON: more than ${MAX_ANY_VALUE_DEPTH} levels rejects the span`, () => {
    const deep = span({ attributes: [{ key: 'deep', value: nestedKvlistJson(MAX_ANY_VALUE_DEPTH + 5) }] });
    const ok = span({ spanId: 'aaaaaaaaaaaaaaaa', attributes: [{ key: 'fine', value: nestedKvlistJson(MAX_ANY_VALUE_DEPTH - 1) }] });
    const result = decodeTraceRequestJson(jsonRequest([deep, ok]));
    expect(result.spans.map((s) => s.spanId)).toEqual(['aaaaaaaaaaaaaaaa']);
    expect(result.rejected[0].message).toMatch(
      new RegExp(`^resourceSpans\\[0\\]\\.scopeSpans\\[0\\]\\.spans\\[0\\]\\.attributes\\["deep"\\](\\.kvlistValue\\.values\\["k"\\])+\\.kvlistValue: nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`),
    );
  });

  it(`protobuf: past ${MAX_ANY_VALUE_DEPTH} levels rejects the span; past protobufjs's limit, the request`, () => {
    const result = decodeTraceRequestProtobuf(
      concat(nestedKvlistProtobuf(MAX_ANY_VALUE_DEPTH + 5), nestedKvlistProtobuf(MAX_ANY_VALUE_DEPTH - 1, 'aaaaaaaaaaaaaaaa')),
    );
    expect(result.spans.map((s) => s.spanId)).toEqual(['aaaaaaaaaaaaaaaa']);
    expect(result.rejected[0].message).toMatch(
      /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.attributes\["deep"\].*\.kvlistValue: nested deeper than 20 levels/,
    );
    expect(decodeError(() => decodeTraceRequestProtobuf(nestedKvlistProtobuf(40))).message).toMatch(
      /^not a valid OTLP protobuf ExportTraceServiceRequest: max depth exceeded/,
    );
  });
});
