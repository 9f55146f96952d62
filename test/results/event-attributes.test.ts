import { describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../src/model/evaluation-result.ts';
import { evaluationEventAttributes } from '../../src/results/index.ts';

const failedPrice: EvaluationResult = {
  name: 'commitment.price',
  score: 0,
  label: 'fail',
  explanation: 'The reply states $129.00, which no tool result or user message contains.',
  source: 'deterministic',
  details: { ungroundedValues: ['$129.00'], checkedValues: 2, grounded: false },
};

describe('evaluationEventAttributes', () => {
  it('writes the semconv evaluation attributes and the source', () => {
    const attributes = evaluationEventAttributes(failedPrice);
    expect(attributes).toMatchObject({
      'gen_ai.evaluation.name': 'commitment.price',
      'gen_ai.evaluation.score.value': 0,
      'gen_ai.evaluation.score.label': 'fail',
      'gen_ai.evaluation.explanation': failedPrice.explanation,
      'tracejudge.evaluation.source': 'deterministic',
    });
    expect(attributes).not.toHaveProperty('error.type');
  });

  it('writes each detail as tracejudge.<key>, arrays staying arrays', () => {
    const attributes = evaluationEventAttributes(failedPrice);
    expect(attributes['tracejudge.ungroundedValues']).toEqual(['$129.00']);
    expect(attributes['tracejudge.checkedValues']).toBe(2);
    expect(attributes['tracejudge.grounded']).toBe(false);
  });

  it('names every detail right across many different keys, prefixed or not, in any order of first use', () => {
    // More distinct keys than the remembered names hold: the names are found again after a clear.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 600; i++) {
        const key = i % 3 === 0 ? `tracejudge.detail_${i}` : `detail_${i}`;
        const attributes = evaluationEventAttributes({ ...failedPrice, details: { [key]: i, values_checked: round } });
        expect(attributes[`tracejudge.detail_${i}`]).toBe(i);
        expect(attributes['tracejudge.values_checked']).toBe(round);
        expect(attributes).not.toHaveProperty(key.startsWith('tracejudge.') ? 'tracejudge.tracejudge.detail_' + i : key);
      }
    }
  });

  it('leaves out empty lists, which every export would otherwise carry for nothing', () => {
    const passed = { ...failedPrice, label: 'pass', score: 1, details: { ungrounded_values: [], values_checked: 2 } };
    const attributes = evaluationEventAttributes(passed);
    expect(attributes).not.toHaveProperty('tracejudge.ungrounded_values');
    expect(attributes['tracejudge.values_checked']).toBe(2);
  });

  it('adds gen_ai.response.id and extras under tracejudge.*', () => {
    const attributes = evaluationEventAttributes(failedPrice, {
      responseId: 'chatcmpl-42',
      attributes: { 'conversation.id': 'c-1', 'tracejudge.truncated': true },
    });
    expect(attributes['gen_ai.response.id']).toBe('chatcmpl-42');
    expect(attributes['tracejudge.conversation.id']).toBe('c-1');
    expect(attributes['tracejudge.truncated']).toBe(true);
    expect(Object.keys(attributes).filter((key) => key.startsWith('tracejudge.tracejudge.'))).toEqual([]);
  });

  it('marks a failed evaluation with error.type and no score', () => {
    const attributes = evaluationEventAttributes({
      name: 'faithfulness',
      source: 'judge',
      error: { type: 'timeout', message: 'judge did not answer within 30000 ms' },
    });
    expect(attributes['error.type']).toBe('timeout');
    expect(attributes['tracejudge.error.message']).toBe('judge did not answer within 30000 ms');
    expect(attributes['gen_ai.evaluation.explanation']).toBe('judge did not answer within 30000 ms');
    expect(attributes['tracejudge.evaluation.source']).toBe('judge');
    expect(attributes).not.toHaveProperty('gen_ai.evaluation.score.value');
  });

  it('never lets a detail overwrite a semconv attribute or the source', () => {
    const attributes = evaluationEventAttributes({
      ...failedPrice,
      details: { 'evaluation.source': 'human', 'tracejudge.evaluation.source': 'human' },
    });
    expect(attributes['tracejudge.evaluation.source']).toBe('deterministic');
    expect(attributes['gen_ai.evaluation.name']).toBe('commitment.price');
  });

  it('turns values a span event cannot carry into simple ones instead of throwing', () => {
    const hostile = {
      name: 'custom',
      source: 'human',
      score: Number.NaN,
      details: {
        nested: { a: 1 },
        mixed: [1, 'two'],
        infinite: Number.POSITIVE_INFINITY,
        big: 12n,
        missing: undefined,
      },
    } as unknown as EvaluationResult;
    const attributes = evaluationEventAttributes(hostile);
    expect(attributes).not.toHaveProperty('gen_ai.evaluation.score.value');
    expect(attributes['tracejudge.nested']).toBe('{"a":1}');
    expect(attributes['tracejudge.mixed']).toEqual(['1', 'two']);
    expect(attributes['tracejudge.infinite']).toBe('Infinity');
    expect(attributes['tracejudge.big']).toBe(12);
    expect(attributes).not.toHaveProperty('tracejudge.missing');
  });
});

describe('what a reader needs first comes first (Jaeger and Tempo keep the order written)', () => {
  it('name, label, value and explanation lead; provenance and details follow; a detail never overwrites them', () => {
    const attributes = evaluationEventAttributes(
      { name: 'commitment.price', score: 0, label: 'fail', explanation: 'ungrounded price "$99.00"', source: 'deterministic', details: { ungrounded_values: ['$99.00'], 'evaluation.source': 'forged' } },
      { responseId: 'chatcmpl-1', attributes: { 'conversation.id': 'conv-1' } },
    );
    expect(Object.keys(attributes).slice(0, 4)).toEqual(['gen_ai.evaluation.name', 'gen_ai.evaluation.score.label', 'gen_ai.evaluation.score.value', 'gen_ai.evaluation.explanation']);
    expect(Object.keys(attributes).indexOf('tracejudge.conversation.id')).toBeGreaterThan(3);
    expect(attributes['tracejudge.evaluation.source']).toBe('deterministic');
  });
});
