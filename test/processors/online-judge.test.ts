import { afterEach, describe, expect, it } from 'vitest';
import { SamplingAttributes } from '../../src/sampling/index.ts';
import { counterValue, judgeAnswer, startOnlineHarness, waitFor } from './support/online-harness.ts';
import type { OnlineHarness } from './support/online-harness.ts';
import { resultNamed } from './support/harness.ts';

let harness: OnlineHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const turnSpans = (h: OnlineHarness) => h.spans().filter((span) => span.attributes['gen_ai.operation.name'] === 'invoke_agent');

describe('online evaluation, conversation scope', () => {
  it('judges at end() and writes the result on the held final turn span, before it is exported', async () => {
    harness = await startOnlineHarness(() => judgeAnswer(5));
    const h = harness;
    const conversation = h.conversation('conv-end', { vertical: 'telecom' });
    const first = await h.turn(conversation, 'What is my plan?', 'You are on the Basic plan.', { name: 'lookup_plan', result: { plan: 'Basic' } });
    let last = '';
    await conversation.turn('Thanks, bye', async (turn) => {
      last = turn.span.spanContext().spanId;
      turn.reply('Goodbye!');
      conversation.end();
    });
    // Held: not exported until the judge answered.
    await waitFor(() => h.spans().some((span) => span.spanContext().spanId === last));
    const result = resultNamed(h.results(last), 'faithfulness');
    expect(result['gen_ai.evaluation.score.value']).toBe(1);
    expect(result['gen_ai.evaluation.score.label']).toBe('faithful');
    expect(result['tracejudge.evaluation.delivery']).toBe('span_event');
    expect(result['tracejudge.conversation.id']).toBe('conv-end');
    // The judge saw the whole conversation, tool call included.
    const request = h.server.requests[0].body.messages[1].content as string;
    expect(request).toContain('lookup_plan');
    expect(request).toContain('You are on the Basic plan.');
    expect(request).toContain('Goodbye!');
    expect(h.server.requests).toHaveLength(1);
    expect(h.results(first)).toEqual([]);
    expect(h.childSpans()).toEqual([]);
  });

  it('past holdMs the span is exported without waiting and the result goes on an evaluate child span linked to every turn', async () => {
    harness = await startOnlineHarness(() => judgeAnswer(2, 'unfaithful', 600), { judge: { holdMs: 50 } });
    const h = harness;
    const conversation = h.conversation('conv-late');
    const first = await h.turn(conversation, 'Hi', 'Hello');
    let last = '';
    await conversation.turn('Refund please', async (turn) => {
      last = turn.span.spanContext().spanId;
      turn.reply('Refunded 500 EUR.');
      conversation.end();
    });
    await waitFor(() => h.spans().some((span) => span.spanContext().spanId === last));
    // Exported before the judge answered: only the inline check's result is on it (the refund is ungrounded).
    expect(h.results(last).map((result) => result['gen_ai.evaluation.name'])).toEqual(['commitment.refund']);
    await waitFor(() => h.childSpans().length === 1);
    const child = h.childSpans()[0];
    expect(child.name).toBe('evaluate faithfulness');
    expect(child.spanContext().traceId).toBe(h.span(last).spanContext().traceId);
    expect(child.parentSpanContext?.spanId).toBe(last);
    expect(child.attributes['gen_ai.conversation.id']).toBe('conv-late');
    expect(child.links.map((link) => link.context.spanId).sort()).toEqual([first, last].sort());
    const event = child.events.find((candidate) => candidate.name === 'gen_ai.evaluation.result');
    expect(event?.attributes?.['gen_ai.evaluation.score.value']).toBe(0.25);
    expect(event?.attributes?.['tracejudge.evaluation.delivery']).toBe('child_span');
    expect(h.online.stage.stats().holdExpired).toBe(1);
  });

  it('an idle conversation is judged by the timeout, and a resumed one is judged again, superseding the first result', async () => {
    harness = await startOnlineHarness(() => judgeAnswer(4), { conversations: { idleTimeout: 200 }, judge: { holdMs: 5_000 } });
    const h = harness;
    const conversation = h.conversation('conv-idle');
    const first = await h.turn(conversation, 'Is my router covered?', 'Yes, by the warranty.');
    await waitFor(() => h.server.requests.length === 1 && h.spans().some((span) => span.spanContext().spanId === first));
    const firstResult = resultNamed(h.results(first), 'faithfulness');
    const firstId = firstResult['tracejudge.evaluation.id'];
    expect(typeof firstId).toBe('string');
    expect(firstResult['tracejudge.evaluation.supersedes']).toBeUndefined();

    const resumed = await h.turn(conversation, 'One more thing', 'Sure, the warranty lasts two years.');
    await waitFor(() => h.server.requests.length === 2 && h.spans().some((span) => span.spanContext().spanId === resumed));
    const second = resultNamed(h.results(resumed), 'faithfulness');
    expect(second['tracejudge.evaluation.supersedes']).toBe(firstId);
    expect(second['tracejudge.evaluation.id']).not.toBe(firstId);
    expect(h.server.requests[1].body.messages[1].content).toContain('Is my router covered?');
  });

  it('the end of a conversation-level span (single-trace layout) ends the conversation', async () => {
    harness = await startOnlineHarness(() => judgeAnswer(5));
    const h = harness;
    const conversation = h.conversation('conv-span');
    const single = (await import('../../instrumentation/index.ts')).startConversation({ id: 'conv-single', tracerProvider: h.provider, captureContent: true, scope: 'single-trace' });
    const turn = await h.turn(single, 'Book a table', 'Booked for 20:00.');
    expect(h.server.requests).toHaveLength(0);
    single.end();
    await waitFor(() => h.server.requests.length === 1);
    await waitFor(() => h.spans().some((span) => span.spanContext().spanId === turn));
    expect(resultNamed(h.results(turn), 'faithfulness')['tracejudge.conversation.id']).toBe('conv-single');
    expect(conversation.ended).toBe(false);
  });

  it('writes the sampling decision on every turn span, sampled or not', async () => {
    harness = await startOnlineHarness(() => judgeAnswer(5), { sampling: { strata: [{ name: 'tools', when: { hasToolCalls: true }, rate: 1 }, { name: 'routine', rate: 0 }], always: [] } });
    const h = harness;
    const a = h.conversation('conv-a');
    const withTool = await h.turn(a, 'Plan?', 'Basic.', { name: 'lookup_plan', result: 'Basic' });
    const b = h.conversation('conv-b');
    const plain = await h.turn(b, 'Hello', 'Hi there.');
    await h.online.processor.forceFlush();
    expect(h.span(withTool).attributes).toMatchObject({ [SamplingAttributes.SAMPLED]: true, [SamplingAttributes.STRATUM]: 'tools', [SamplingAttributes.WEIGHT]: 1 });
    expect(h.span(plain).attributes).toMatchObject({ [SamplingAttributes.SAMPLED]: false, [SamplingAttributes.STRATUM]: 'routine', [SamplingAttributes.REASON]: 'not_sampled' });
    expect(turnSpans(h).every((span) => span.attributes[SamplingAttributes.STRATUM] !== undefined)).toBe(true);
  });
});

describe('online evaluation, turn scope', () => {
  it('judges each sampled turn with the history so far, the result on that turn span', async () => {
    harness = await startOnlineHarness(() => judgeAnswer(3, 'partially_faithful'), { judge: { scope: 'turn' } });
    const h = harness;
    const conversation = h.conversation('conv-turns');
    const one = await h.turn(conversation, 'First question', 'First answer');
    const two = await h.turn(conversation, 'Second question', 'Second answer');
    await waitFor(() => [one, two].every((id) => h.spans().some((span) => span.spanContext().spanId === id)));
    expect(resultNamed(h.results(one), 'faithfulness')['gen_ai.evaluation.score.value']).toBe(0.5);
    expect(resultNamed(h.results(two), 'faithfulness')['gen_ai.evaluation.score.value']).toBe(0.5);
    const prompts = h.server.requests.map((request) => request.body.messages[1].content as string);
    expect(prompts[0]).not.toContain('Second question');
    expect(prompts.some((prompt) => prompt.includes('First answer') && prompt.includes('Second answer'))).toBe(true);
  });
});

describe('metrics', () => {
  it('records scores with stratum and cohort, weighted sums, sampled conversations, judge calls and tokens', async () => {
    harness = await startOnlineHarness(() => judgeAnswer(5), { sampling: { strata: [{ name: 'half', rate: 0.5 }], always: ['escalation'] } }, { cohortAttributes: ['app.vertical'] });
    const h = harness;
    const conversation = h.conversation('conv-metrics', { vertical: 'dental' });
    await conversation.turn('I want a human', async (turn) => {
      turn.reply('Escalating you now.');
      turn.outcome.escalated();
      conversation.end();
    });
    await waitFor(() => h.server.requests.length === 1);
    await h.online.processor.forceFlush();
    const metrics = await h.metrics();
    const score = metrics.find((metric) => metric.descriptor.name === 'gen_ai.evaluation.score');
    const point = score?.dataPoints.find((candidate) => candidate.attributes['gen_ai.evaluation.name'] === 'faithfulness');
    expect(point?.attributes).toMatchObject({ 'tracejudge.sampling.stratum': 'half', 'app.vertical': 'dental' });
    expect(counterValue(metrics, 'tracejudge.evaluation.weight', { 'gen_ai.evaluation.name': 'faithfulness' })).toBe(1);
    expect(counterValue(metrics, 'tracejudge.evaluation.weighted_score', { 'gen_ai.evaluation.name': 'faithfulness' })).toBe(1);
    expect(counterValue(metrics, 'tracejudge.sampling.conversations', { 'tracejudge.sampling.reason': 'escalation' })).toBe(1);
    expect(counterValue(metrics, 'tracejudge.judge.calls', { outcome: 'ok' })).toBe(1);
    expect(counterValue(metrics, 'tracejudge.judge.tokens', { 'gen_ai.token.type': 'input' })).toBe(1000);
    expect(counterValue(metrics, 'tracejudge.sampling.decisions')).toBeGreaterThanOrEqual(1);
  });

  it('a cohort value that carries personal data is a label as its keyed hash, never as it is', async () => {
    harness = await startOnlineHarness(() => judgeAnswer(5), { sampling: { strata: [{ name: 'all', rate: 1 }] } }, { cohortAttributes: ['app.customer', 'app.vertical'] });
    const h = harness;
    const conversation = h.conversation('conv-label', { customer: 'ana.garcia@example.es', vertical: 'dental' });
    await conversation.turn('Book me in', async (turn) => {
      turn.reply('Booked.');
      conversation.end();
    });
    await waitFor(() => h.server.requests.length === 1);
    await h.online.processor.forceFlush();
    const metrics = await h.metrics();
    const point = metrics.find((metric) => metric.descriptor.name === 'gen_ai.evaluation.score')?.dataPoints[0];
    expect(point?.attributes['app.vertical']).toBe('dental');
    expect(point?.attributes['app.customer']).toMatch(/^pii-[0-9a-f]{24}$/);
    expect(JSON.stringify(metrics)).not.toContain('ana.garcia');
  });
});
