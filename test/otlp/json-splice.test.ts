import { describe, expect, it } from 'vitest';
import { EvaluationPipeline } from '../../processors/index.ts';
import { dropEarlierInlineResults } from '../../src/otlp/earlier-results.ts';
import { decodeTraceRequestJson, encodeTraceRequestJson } from '../../src/otlp/index.ts';
import type { DecodedSpan } from '../../src/otlp/index.ts';
import { spanRangesOf, spliceSpans } from '../../src/otlp/json-splice.ts';
import { loadLabelledRows } from '../checks/precision-recall.ts';
import { renderRow } from '../shapes/render.ts';

/** What a decoded span says, field by field (the splice must say the same as encoding it whole). */
function meaning(spans: readonly DecodedSpan[]): unknown[] {
  return spans.map((span) => ({
    traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, name: span.name, kind: span.kind,
    start: span.startTimeUnixNano, end: span.endTimeUnixNano, attributes: span.attributes, status: span.status,
    events: span.events.map((event) => ({ name: event.name, time: event.timeUnixNano, attributes: event.attributes })),
    resource: span.resource.attributes, scope: span.scope.name,
  }));
}

function evaluate(text: string): { spans: DecodedSpan[]; ranges: [number, number][] } {
  const { spans, rejected } = decodeTraceRequestJson(text);
  expect(rejected).toEqual([]);
  const ranges = spanRangesOf(text)!;
  expect(ranges).toHaveLength(spans.length);
  const pipeline = new EvaluationPipeline();
  for (const span of spans) pipeline.noteStart(span);
  for (const span of [...spans].sort((a, b) => (a.endTimeUnixNano < b.endTimeUnixNano ? -1 : 1))) pipeline.onEnding(span, span);
  return { spans, ranges };
}

const rows = loadLabelledRows().slice(0, 40);

describe('OTLP/JSON written back as it came, the spans the pipeline changed written anew', () => {
  it('a line nothing was added to is written byte for byte', () => {
    const text = JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: { name: 's' }, spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'plain', kind: 1, startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] });
    const { spans, ranges } = evaluate(text);
    expect(spliceSpans(text, ranges, spans)).toBe(text);
  });

  it('every shape of the labelled rows: the spliced line says what encoding it whole says, and keeps the sender’s own bytes elsewhere', () => {
    for (const shape of ['genai-json', 'genai-structured', 'genai-span-events', 'openinference', 'openllmetry-legacy'] as const) {
      rows.forEach((row, index) => {
        for (const text of renderRow(row, index, shape, 'two-turns').traces) {
          const { spans, ranges } = evaluate(text);
          const spliced = spliceSpans(text, ranges, spans);
          expect(meaning(decodeTraceRequestJson(spliced).spans), `${shape} ${row.id}`).toEqual(meaning(decodeTraceRequestJson(encodeTraceRequestJson(spans)).spans));
          // Spans that gained nothing are their input text, unchanged.
          for (let i = 0; i < spans.length; i++) {
            if (spans[i]!.events.length === 0) expect(spliced).toContain(text.slice(ranges[i]![0], ranges[i]![1]));
          }
        }
      });
    }
  });

  it('pretty-printed input, a span with an empty events array, one with events already, one without: the layout around them is kept', () => {
    const attrs = (amount: number) =>
      Object.entries({ 'gen_ai.operation.name': 'chat', 'gen_ai.conversation.id': 'c1', 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `It is $${amount}.` }] }]) })
        .map(([key, value]) => ({ key, value: { stringValue: value } }));
    let amount = 45;
    const span = (spanId: string, extra: object) => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId, name: 'chat m', kind: 3, startTimeUnixNano: '1000', endTimeUnixNano: '2000', attributes: attrs(amount++), ...extra });
    const request = {
      resourceSpans: [{ scopeSpans: [{ spans: [
        span('00000000000000a1', { events: [] }),
        span('00000000000000a2', { events: [{ name: 'earlier', timeUnixNano: '1500' }] }),
        span('00000000000000a3', {}),
      ] }] }],
    };
    const text = JSON.stringify(request, null, 2);
    const { spans, ranges } = evaluate(text);
    expect(spans.map((s) => s.events.length)).toEqual([1, 2, 1]);
    const spliced = spliceSpans(text, ranges, spans);
    expect(meaning(decodeTraceRequestJson(spliced).spans)).toEqual(meaning(spans));
    expect(spliced.startsWith('{\n  "resourceSpans": [')).toBe(true);
  });

  it('a span changed otherwise (an earlier result removed, an attribute overwritten, a new attribute) is written whole in its place', () => {
    const text = renderRow(rows[1]!, 1, 'genai-json').traces[0]!;
    const { spans, ranges } = evaluate(text);
    const chat = spans.find((span) => span.name.startsWith('chat '))!;
    const agent = spans.find((span) => span.name.startsWith('invoke_agent'))!;
    const tool = spans.find((span) => span.name.startsWith('execute_tool'))!;
    expect(dropEarlierInlineResults(chat)).toBeGreaterThan(0);
    tool.toReadableSpan();
    (tool.toReadableSpan() as unknown as { setAttribute(k: string, v: unknown): void }).setAttribute('gen_ai.tool.name', 'renamed');
    (agent.toReadableSpan() as unknown as { setAttribute(k: string, v: unknown): void }).setAttribute('tracejudge.sampling.sampled', true);
    const spliced = spliceSpans(text, ranges, spans);
    expect(meaning(decodeTraceRequestJson(spliced).spans)).toEqual(meaning(spans));
    expect(decodeTraceRequestJson(spliced).spans.find((s) => s.name.startsWith('invoke_agent'))!.attributes['tracejudge.sampling.sampled']).toBe(true);
  });

  it('a text not laid out as a request of spans gives no ranges (the caller encodes instead)', () => {
    expect(spanRangesOf('{"resourceSpans": {"not": "an array"}}')).toBeUndefined();
    expect(spanRangesOf('[1, 2]')).toBeUndefined();
    const tricky = '{"resourceSpans": [{"scopeSpans": [{"spans": [{"a": "\\"}"}, {}]}]}] }';
    const first = tricky.indexOf('{"a"');
    expect(spanRangesOf(tricky)).toEqual([[first, tricky.indexOf('}', first + 10) + 1], [tricky.indexOf('{}'), tricky.indexOf('{}') + 2]]);
    expect(spanRangesOf('{"resourceSpans": []} trailing')).toBeUndefined();
  });
});
