import { describe, expect, it } from 'vitest';
import { evaluationSummary } from '../../src/results/evaluation-summary.ts';
import { runTurn } from '../processors/support/agent-spans.ts';
import { sdkHarness } from '../processors/support/harness.ts';

const price = (label: 'pass' | 'fail') => ({ name: 'commitment.price', score: label === 'pass' ? 1 : 0, label, source: 'deterministic' as const });

describe('the span-level summary of its evaluations', () => {
  it('pass, fail, mixed, merged with what the span already says; errors are no verdict', () => {
    expect(evaluationSummary({}, [price('pass')])).toEqual({ 'tracejudge.evaluation.failed': false, 'tracejudge.evaluation.failed_names': [], 'tracejudge.evaluation.min_score': 1 });
    expect(evaluationSummary({}, [price('fail'), { name: 'commitment.time', score: 1, label: 'pass', source: 'deterministic' }])).toEqual({
      'tracejudge.evaluation.failed': true,
      'tracejudge.evaluation.failed_names': ['commitment.price'],
      'tracejudge.evaluation.min_score': 0,
    });
    // A judge result later (a low score fails), merged into what the checks wrote.
    const merged = evaluationSummary(
      { 'tracejudge.evaluation.failed': true, 'tracejudge.evaluation.failed_names': ['commitment.price'], 'tracejudge.evaluation.min_score': 0 },
      [{ name: 'faithfulness', score: 0.25, label: 'unfaithful', source: 'judge' }],
    );
    expect(merged).toEqual({ 'tracejudge.evaluation.failed': true, 'tracejudge.evaluation.failed_names': ['commitment.price', 'faithfulness'], 'tracejudge.evaluation.min_score': 0 });
    expect(evaluationSummary({}, [{ name: 'faithfulness', source: 'judge', error: { type: 'judge_timeout', message: 'slow' } }])).toBeUndefined();
  });

  it('on the evaluated SDK span, so one tag search finds the failed ones', () => {
    const h = sdkHarness();
    const failing = runTurn(h.tracer, { conversationId: 'c1', user: 'Price?', tools: [{ name: 'lookup', result: { price: '$99.00' } }], reply: 'It is $129.00.' });
    const passing = runTurn(h.tracer, { conversationId: 'c2', user: 'Price?', tools: [{ name: 'lookup', result: { price: '$99.00' } }], reply: 'It is $99.00.' });
    const attributesOf = (spanId: string) => h.spans().find((span) => span.spanContext().spanId === spanId)!.attributes;
    expect(attributesOf(failing.chatSpanId)).toMatchObject({ 'tracejudge.evaluation.failed': true, 'tracejudge.evaluation.failed_names': ['commitment.price'], 'tracejudge.evaluation.min_score': 0 });
    expect(attributesOf(passing.chatSpanId)).toMatchObject({ 'tracejudge.evaluation.failed': false, 'tracejudge.evaluation.min_score': 1 });
  });
});
