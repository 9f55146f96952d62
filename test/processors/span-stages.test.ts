import { describe, expect, it } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { EvaluationSpanProcessor } from '../../processors/index.ts';
import type { ForwardSpan, SpanStage } from '../../processors/index.ts';
import { runTurn } from './support/agent-spans.ts';
import { evaluationEvents, sdkHarness } from './support/harness.ts';

const spec = {
  conversationId: 'conv-stages',
  user: 'Price?',
  tools: [{ name: 'lookup_plan', result: { price: '$129.00' } }],
  reply: 'It is $129.00.',
};

/** A later stage that holds spans until flushed, as the judge hold will (bounded there by a deadline). */
class HoldingStage implements SpanStage {
  readonly name = 'holding';
  readonly held: { span: ReadableSpan; forward: ForwardSpan }[] = [];
  seenResults = 0;

  onEnd(span: ReadableSpan, forward: ForwardSpan): void {
    this.seenResults += evaluationEvents(span.events).length;
    this.held.push({ span, forward });
  }

  async forceFlush(): Promise<void> {
    for (const { span, forward } of this.held.splice(0)) forward(span);
  }
}

describe('EvaluationSpanProcessor stages', () => {
  it('lets a later stage see the inline results and hold export until it forwards', async () => {
    const holding = new HoldingStage();
    const h = sdkHarness({ stages: [holding] });
    runTurn(h.tracer, spec);
    expect(h.spans()).toHaveLength(0);
    expect(holding.held).toHaveLength(3);
    expect(holding.seenResults).toBeGreaterThan(0);
    await h.provider.forceFlush();
    expect(h.spans()).toHaveLength(3);
  });

  it('forwards the span when a stage throws in onEnd, once, and counts the error', () => {
    const throwing: SpanStage = {
      name: 'throwing',
      onEnd(span, forward) {
        forward(span);
        throw new Error('after forwarding');
      },
    };
    const failing: SpanStage = {
      name: 'failing',
      onEnd() {
        throw new Error('before forwarding');
      },
    };
    const h = sdkHarness({ stages: [failing, throwing] });
    runTurn(h.tracer, spec);
    expect(h.spans()).toHaveLength(3);
    expect(h.processor.stats().stageErrors).toBe(6);
  });

  it('keeps exporting when a stage throws in onStart and onEnding', () => {
    const h = sdkHarness({
      stages: [
        {
          name: 'noisy',
          onStart() {
            throw new Error('start');
          },
          onEnding() {
            throw new Error('ending');
          },
        },
      ],
    });
    runTurn(h.tracer, spec);
    expect(h.spans()).toHaveLength(3);
    expect(h.allResults().length).toBeGreaterThan(0);
    expect(h.processor.stats()).toMatchObject({ stageErrors: 6, errors: 6 });
  });

  it('delegates shutdown to stages and downstream', async () => {
    const calls: string[] = [];
    const h = sdkHarness({ stages: [{ name: 'closing', shutdown: async () => void calls.push('stage') }] });
    runTurn(h.tracer, spec);
    expect(h.spans()).toHaveLength(3);
    await h.provider.shutdown();
    expect(calls).toEqual(['stage']);
    // The SimpleSpanProcessor shut its InMemorySpanExporter down, which clears it.
    expect(h.spans()).toHaveLength(0);
  });

  it('a downstream that throws on a span forwarded later (timer, judge answer) does not throw into the caller nor stop the other spans', async () => {
    const exporter = new InMemorySpanExporter();
    const simple = new SimpleSpanProcessor({ exporter });
    let throwsLeft = 1;
    const downstream = Object.assign(Object.create(simple) as SimpleSpanProcessor, {
      onEnd(span: ReadableSpan): void {
        if (throwsLeft-- > 0) throw new Error('downstream broke');
        simple.onEnd(span);
      },
    });
    const holding = new HoldingStage();
    const processor = new EvaluationSpanProcessor({ downstream, stages: [holding] });
    const provider = new TracerProvider({ spanProcessors: [processor] });
    runTurn(provider.getTracer('agent'), spec);
    expect(holding.held).toHaveLength(3);
    const [first, ...rest] = holding.held.splice(0);
    // As a HoldQueue timer or a judge answer would: outside any stage hook's try.
    expect(() => first.forward(first.span)).not.toThrow();
    for (const { span, forward } of rest) forward(span);
    expect(exporter.getFinishedSpans()).toHaveLength(2);
    expect(processor.stats().stageErrors).toBe(1);
  });
});
