import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { appendEvents, resultEvents } from '../../src/results/evaluation-span.ts';

/** A span as a held one is: ended, not yet exported (the processor keeps it). */
function endedSpan(eventCountLimit?: number): ReadableSpan {
  let ended: ReadableSpan | undefined;
  const keep: SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => void (ended = span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new TracerProvider({ spanProcessors: [keep], ...(eventCountLimit !== undefined && { spanLimits: { eventCountLimit } }) });
  const span = provider.getTracer('test').startSpan('invoke_agent concierge');
  span.addEvent('app.outcome', { 'app.outcome.kind': 'escalated' });
  span.addEvent('app.outcome', { 'app.outcome.kind': 'ticket_created' });
  span.end();
  return ended!;
}

const judged = resultEvents([{ name: 'faithfulness', score: 1, label: 'unfaithful', source: 'judge' }], { conversationId: 'c-1', evaluationId: 'e-1' }, 'span_event', 1_750_000_000_000);

describe('appendEvents on a held span', () => {
  it('appends the result events after the span ended, where the exporter reads them', () => {
    const span = endedSpan();
    appendEvents(span, judged);
    expect(span.events.map((event) => event.name)).toEqual(['app.outcome', 'app.outcome', 'gen_ai.evaluation.result']);
    expect(span.droppedEventsCount).toBe(0);
  });

  it('keeps the SDK event limit as addEvent would: the oldest event goes, counted as dropped', () => {
    const span = endedSpan(2);
    appendEvents(span, judged);
    expect(span.events).toHaveLength(2);
    expect(span.events.map((event) => event.attributes?.['app.outcome.kind'] ?? event.attributes?.['gen_ai.evaluation.name'])).toEqual(['ticket_created', 'faithfulness']);
    expect(span.droppedEventsCount).toBe(1);
  });

  it('with no events allowed, adds nothing and counts the drop', () => {
    const span = endedSpan(0);
    appendEvents(span, judged);
    expect(span.events).toHaveLength(0);
    expect(span.droppedEventsCount).toBe(3);
  });

  it('a span from another source (no SDK limits) takes every event', () => {
    // e.g. a span decoded from OTLP in collector mode: whatever its sender's limits were, they are not ours to apply.
    const plain = { name: 'invoke_agent concierge', events: [] } as unknown as ReadableSpan;
    appendEvents(plain, [...judged, ...judged, ...judged]);
    expect(plain.events).toHaveLength(3);
  });
});
