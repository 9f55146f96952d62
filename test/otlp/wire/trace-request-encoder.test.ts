import { SpanStatusCode } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequestProtobuf, encodeTraceRequest } from '../../../src/otlp/index.ts';
import type { DecodedSpan } from '../../../src/otlp/index.ts';
import { dropEarlierInlineResults } from '../../../src/otlp/earlier-results.ts';
import { traceRequestLayout } from '../../../src/otlp/wire/trace-request-layout.ts';
import { agentSpans, decodedView, recordSpans } from '../sdk-spans.ts';
import { fieldNumbers, type Plain, Request, spanBytes, spansById } from './full-trace-proto.ts';

async function decodedAgentTurn(): Promise<{ body: Uint8Array; spans: DecodedSpan[] }> {
  const body = ProtobufTraceSerializer.serializeRequest(await agentSpans())!;
  return { body, spans: decodeTraceRequestProtobuf(body).spans };
}

/** What the pipeline does to a span: evaluation events with every value type, and new attributes. */
function evaluate(span: DecodedSpan, n: number): void {
  span.addEvent('gen_ai.evaluation.result', {
    'gen_ai.evaluation.name': `commitment.price.${n}`,
    'gen_ai.evaluation.score.value': 0.25,
    'gen_ai.evaluation.score.label': 'fail',
    'tracejudge.evaluation.passed': false,
    'tracejudge.evaluation.count': 3,
    'tracejudge.evaluation.ungrounded': ['$12.00', '€9'],
    'gen_ai.evaluation.explanation': `ungrounded ${'price '.repeat(40)}– “$12.00”`,
  });
  span.setAttribute('tracejudge.evaluation.failed', ['commitment.price']);
  span.setAttribute('tracejudge.evaluation.count', n);
}

const sortedViews = (bytes: Uint8Array) =>
  decodeTraceRequestProtobuf(bytes)
    .spans.map(decodedView)
    .sort((a, b) => a.spanId.localeCompare(b.spanId));

describe('encodeTraceRequest: spans forwarded as received plus what was appended', () => {
  it('decodes to exactly what the official serializer would have written', async () => {
    const { spans } = await decodedAgentTurn();
    spans.forEach(evaluate);
    const readables = spans.map((span) => span.toReadableSpan());
    const official = ProtobufTraceSerializer.serializeRequest(readables)!;
    expect(sortedViews(encodeTraceRequest(readables))).toEqual(sortedViews(official));
  });

  it('writes each received span as its bytes, then only the appended events (11) and attributes (9)', async () => {
    const { body, spans } = await decodedAgentTurn();
    spans.forEach(evaluate);
    const received = spanBytes(body);
    const sent = spanBytes(encodeTraceRequest(spans.map((span) => span.toReadableSpan())));
    expect([...sent.keys()].sort()).toEqual([...received.keys()].sort());
    for (const [id, original] of received) {
      const out = sent.get(id)!;
      expect(Buffer.from(out.subarray(0, original.byteLength)).equals(Buffer.from(original))).toBe(true);
      expect(fieldNumbers(out.subarray(original.byteLength))).toEqual([11, 9, 9]);
    }
  });

  it('keeps fields it does not know, in spans, scopes and resources, byte for byte', async () => {
    const plain = Request.toObject(Request.decode(ProtobufTraceSerializer.serializeRequest(await agentSpans())!));
    for (const rs of plain.resourceSpans) {
      rs.futureResourceField = 'from OTLP 9';
      for (const ss of rs.scopeSpans) {
        ss.futureScopeField = 42;
        for (const span of ss.spans) span.futureSpanField = `next-${span.name}`;
      }
    }
    const body = Request.encode(Request.fromObject(plain)).finish();
    const spans = decodeTraceRequestProtobuf(body).spans;
    spans.forEach(evaluate);
    const out = encodeTraceRequest(spans.map((span) => span.toReadableSpan()));
    const before = spansById(body);
    const after = spansById(out);
    expect(after.size).toBe(before.size);
    for (const [id, { span, resource, scope }] of before) {
      const forwarded = after.get(id)!;
      expect(forwarded.resource).toEqual(resource);
      expect(forwarded.scope).toEqual(scope);
      expect(forwarded.span.futureSpanField).toBe(span.futureSpanField);
      // Everything it arrived with, unchanged, in front; then what the evaluation added.
      expect(forwarded.span.events.slice(0, span.events?.length ?? 0)).toEqual(span.events ?? []);
      expect(forwarded.span.events.slice(span.events?.length ?? 0).map((e: Plain) => e.name)).toEqual(['gen_ai.evaluation.result']);
      expect(forwarded.span.attributes.slice(0, span.attributes?.length ?? 0)).toEqual(span.attributes ?? []);
      const { events: _e, attributes: _a, ...rest } = forwarded.span;
      const { events: _e0, attributes: _a0, ...restBefore } = span;
      expect(rest).toEqual(restBefore);
    }
  });

  it('writes a span whole when appending cannot say what changed; the rest of the batch stays as received', async () => {
    const { body, spans } = await decodedAgentTurn();
    const [first, second] = spans;
    const sdkOnly = (await recordSpans([{ name: 'evaluation child', attributes: { 'gen_ai.evaluation.name': 'judge' } }]))[0];
    first.addEvent('gen_ai.evaluation.result', { 'tracejudge.evaluation.source': 'deterministic', 'gen_ai.evaluation.name': 'earlier' });
    dropEarlierInlineResults(first);
    first.setAttribute('gen_ai.conversation.id', 'rewritten');
    second.setStatus({ code: SpanStatusCode.OK });
    const readables: ReadableSpan[] = [...spans.map((span) => span.toReadableSpan()), sdkOnly];
    const out = encodeTraceRequest(readables);
    const official = ProtobufTraceSerializer.serializeRequest(readables)!;
    expect(sortedViews(out)).toEqual(sortedViews(official));
    const received = spanBytes(body);
    const sent = spanBytes(out);
    expect(sent.size).toBe(3);
    const prefixed = (id: string) => Buffer.from(sent.get(id)!.subarray(0, received.get(id)!.byteLength)).equals(Buffer.from(received.get(id)!));
    // Rewritten (attribute overwritten, status changed): encoded by the official serializer.
    expect(first.received()).toBeUndefined();
    expect(second.received()).toBeUndefined();
    expect(spans.every((span) => !prefixed(span.spanId))).toBe(true);
  });

  it('walks nothing it cannot: truncated or group-typed bytes keep no layout, and such spans are re-encoded', async () => {
    const { body } = await decodedAgentTurn();
    expect(traceRequestLayout(body.subarray(0, body.byteLength - 3))).toBeUndefined();
    // A ResourceSpans holding a deprecated group field (wire type 3): protobufjs skips it, we do not walk it.
    const withGroup = Buffer.concat([Buffer.from([0x0a, 0x04, 0x1b, 0x08, 0x01, 0x1c]), body]);
    expect(traceRequestLayout(withGroup)).toBeUndefined();
    const decoded = decodeTraceRequestProtobuf(withGroup).spans;
    expect(decoded.length).toBeGreaterThan(0);
    expect(decoded.every((span) => span.received() === undefined)).toBe(true);
    decoded.forEach(evaluate);
    const readables = decoded.map((span) => span.toReadableSpan());
    expect(sortedViews(encodeTraceRequest(readables))).toEqual(sortedViews(ProtobufTraceSerializer.serializeRequest(readables)!));
  });
});
