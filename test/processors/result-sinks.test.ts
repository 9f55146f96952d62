import { describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../src/model/index.ts';
import type { EvaluationTarget, ResultSink } from '../../src/results/index.ts';
import { runTurn } from './support/agent-spans.ts';
import { resultNamed, sdkHarness } from './support/harness.ts';

class CollectingSink implements ResultSink {
  readonly received: { results: readonly EvaluationResult[]; target: EvaluationTarget }[] = [];
  write(results: readonly EvaluationResult[], target: EvaluationTarget): void {
    this.received.push({ results, target });
  }
}

describe('result sinks', () => {
  it('receive the same check results that land on the span, with the evaluated span as target', () => {
    const sink = new CollectingSink();
    const h = sdkHarness({ sinks: [sink] });
    const turn = runTurn(h.tracer, {
      conversationId: 'conv-sink',
      user: 'How much is the Pro plan?',
      tools: [{ name: 'lookup_plan', result: { monthly_price: '$99.00' } }],
      reply: 'The Pro plan costs $129.00 per month.',
    });
    expect(sink.received).toHaveLength(1);
    const [{ results, target }] = sink.received;
    expect(target).toMatchObject({ conversationId: 'conv-sink', traceId: turn.traceId, spanId: turn.chatSpanId });
    const price = results.find((result) => result.name === 'commitment.price');
    expect(price?.label).toBe('fail');
    expect(resultNamed(h.results(turn.chatSpanId), 'commitment.price')['gen_ai.evaluation.score.label']).toBe(price?.label);
  });

  it('a sink that throws or rejects is counted and the span is still exported with its results', async () => {
    const throwing: ResultSink = { write: () => { throw new Error('sink down'); } };
    const rejecting: ResultSink = { write: () => Promise.reject(new Error('sink rejected')) };
    const h = sdkHarness({ sinks: [throwing, rejecting] });
    const turn = runTurn(h.tracer, {
      conversationId: 'conv-sink-error',
      user: 'How much is the Pro plan?',
      tools: [{ name: 'lookup_plan', result: { monthly_price: '$129.00' } }],
      reply: 'The Pro plan costs $129.00 per month.',
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(resultNamed(h.results(turn.chatSpanId), 'commitment.price')['gen_ai.evaluation.score.label']).toBe('pass');
    expect(h.processor.stats().errors).toBe(2);
  });
});
