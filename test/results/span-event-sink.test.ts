import { afterEach, describe, expect, it } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { SpanEventSink } from '../../src/results/index.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('test');

afterEach(() => exporter.reset());

describe('SpanEventSink', () => {
  it('adds one gen_ai.evaluation.result event per result to a real SDK span', () => {
    const span = tracer.startSpan('chat gpt-4.1-mini');
    const sink = new SpanEventSink(span, { 'span.problems': ['gen_ai.input.messages: not valid JSON'] });
    sink.write(
      [
        { name: 'commitment.price', score: 1, label: 'pass', source: 'deterministic' },
        { name: 'commitment.time', score: 0, label: 'fail', source: 'deterministic', details: { ungroundedValues: ['3pm'] } },
      ],
      { conversationId: 'conv-7', traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, responseId: 'resp-1' },
    );
    span.end();

    const [exported] = exporter.getFinishedSpans();
    const events = exported.events.filter((event) => event.name === 'gen_ai.evaluation.result');
    expect(events.map((event) => event.attributes?.['gen_ai.evaluation.name'])).toEqual(['commitment.price', 'commitment.time']);
    for (const event of events) {
      expect(event.attributes?.['tracejudge.conversation.id']).toBe('conv-7');
      expect(event.attributes?.['gen_ai.response.id']).toBe('resp-1');
      expect(event.attributes?.['tracejudge.span.problems']).toEqual(['gen_ai.input.messages: not valid JSON']);
    }
    expect(events[1].attributes?.['tracejudge.ungroundedValues']).toEqual(['3pm']);
  });

  it('writes nothing for no results', () => {
    const span = tracer.startSpan('chat');
    new SpanEventSink(span).write([], { conversationId: 'c', traceId: 't', spanId: 's' });
    span.end();
    expect(exporter.getFinishedSpans()[0].events).toEqual([]);
  });

  it('lists content problems on a span, capped', () => {
    const span = tracer.startSpan('chat');
    const problems = Array.from({ length: 14 }, (_, i) => `problem ${i}`);
    new SpanEventSink(span).writeProblems(problems);
    span.end();
    const [event] = exporter.getFinishedSpans()[0].events;
    expect(event.name).toBe('tracejudge.content.problem');
    const listed = event.attributes?.['tracejudge.span.problems'] as string[];
    expect(listed).toHaveLength(11);
    expect(listed[0]).toBe('problem 0');
    expect(listed[10]).toBe('…and 4 more');
  });
});
