import { describe, expect, it } from 'vitest';
import { PriceTable, estimateJudgeCost, turnInferenceCost, turnTextChars } from '../../src/sampling/index.ts';
import { chatSpan, span } from './builders.ts';

const table = new PriceTable({ 'gpt-4.1': { input: 2, output: 8 }, 'gpt-4.1-mini': { input: 0.4, output: 1.6 } });

describe('prices', () => {
  it('a dated snapshot takes its longest listed prefix; unknown models have no price', () => {
    expect(table.priceOf('gpt-4.1-mini-2025-04-14')).toEqual({ input: 0.4, output: 1.6 });
    expect(table.priceOf('gpt-4.1-2025-04-14')).toEqual({ input: 2, output: 8 });
    expect(table.priceOf('claude-sonnet-4')).toBeUndefined();
  });

  it('inference cost sums chat spans and does not count an agent span that repeats their usage', () => {
    const agent = span({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'gpt-4.1', 'gen_ai.usage.input_tokens': 3000, 'gen_ai.usage.output_tokens': 600 });
    const calls = [chatSpan('gpt-4.1', 1000, 200), chatSpan('gpt-4.1-mini', 2000, 400)];
    const expected = (1000 * 2 + 200 * 8 + 2000 * 0.4 + 400 * 1.6) / 1e6;
    expect(turnInferenceCost([agent, ...calls], table)).toEqual({ usd: expect.closeTo(expected, 12), unpriced: false });
    // With no call spans the agent span's usage is what there is.
    expect(turnInferenceCost([agent], table).usd).toBeCloseTo((3000 * 2 + 600 * 8) / 1e6, 12);
    expect(turnInferenceCost([chatSpan('mystery-model', 10, 10)], table)).toEqual({ usd: 0, unpriced: true });
    expect(turnInferenceCost([span({})], table)).toEqual({ usd: 0, unpriced: false });
  });

  it('the judge estimate is chars/4 + overhead input tokens and the capped output tokens', () => {
    const model = { price: { input: 0.4, output: 1.6 }, overheadTokens: 1500, outputTokens: 500 };
    expect(estimateJudgeCost(4000, model)).toBeCloseTo((2500 * 0.4 + 500 * 1.6) / 1e6, 15);
    expect(estimateJudgeCost(-5, model)).toBeCloseTo((1500 * 0.4 + 500 * 1.6) / 1e6, 15);
  });

  it('without a caller count, judge text is the largest span (a chat input already holds the history)', () => {
    const history = JSON.stringify([
      { role: 'user', parts: [{ type: 'text', content: 'Hello there' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'Hi!' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Price?' }] },
    ]);
    const reply = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: '$129' }] }]);
    const chat = chatSpan('gpt-4.1', 10, 10, { 'gen_ai.input.messages': history, 'gen_ai.output.messages': reply });
    const earlier = chatSpan('gpt-4.1', 10, 10, { 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Hello there' }] }]) });
    expect(turnTextChars([earlier, chat])).toBe('Hello there'.length + 'Hi!'.length + 'Price?'.length + '$129'.length);
  });
});
