import { afterEach, describe, expect, it } from 'vitest';
import type { ScriptedReply } from '../support/openai-test-server.ts';
import { chatCompletion } from '../support/openai-test-server.ts';
import { counterValue, startOnlineHarness, waitFor } from './support/online-harness.ts';
import type { OnlineHarness } from './support/online-harness.ts';
import { resultNamed } from './support/harness.ts';

let harness: OnlineHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const refusal: ScriptedReply = {
  json: chatCompletion(null, {
    choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'I cannot help with that.' }, finish_reason: 'stop', logprobs: null }],
  }),
};

const failures: readonly [string, ScriptedReply, string][] = [
  ['down (connection dropped)', { destroy: true }, 'judge_unavailable'],
  ['slow (no answer within the timeout)', { hang: true }, 'judge_timeout'],
  ['rate-limited (429 with Retry-After)', { json: { error: { message: 'slow down' } }, status: 429, headers: { 'retry-after': '7' } }, 'judge_rate_limited'],
  ['failing (500)', { json: { error: { message: 'boom' } }, status: 500 }, 'judge_http_500'],
  ['answering garbage', { json: chatCompletion('<<definitely not json>>') }, 'judge_invalid_output'],
  ['refusing', refusal, 'judge_refusal'],
];

describe('a judge that fails never costs a span', () => {
  for (const [how, reply, errorType] of failures) {
    it(`judge ${how}: every span exported, the result carries error.type ${errorType}`, async () => {
      // Only the hanging judge needs a short timeout; the others answer, and on a loaded 2-core machine an answer can take over 300 ms.
      harness = await startOnlineHarness(() => reply, { judge: { timeout: 'hang' in reply ? '300ms' : '5s', maxRetries: 0, holdMs: 10_000 } });
      const h = harness;
      const conversation = h.conversation(`conv-${errorType}`);
      let last = '';
      await conversation.turn('Is my order shipped?', async (turn) => {
        last = turn.span.spanContext().spanId;
        await turn.tool('order_status', { id: 7 }, () => ({ status: 'shipped' }));
        turn.reply('Yes, it shipped.');
        conversation.end();
      });
      await waitFor(() => h.spans().some((span) => span.spanContext().spanId === last));
      expect(h.spans().map((span) => span.name).sort()).toEqual(['execute_tool order_status', 'invoke_agent support']);
      const result = resultNamed(h.results(last), 'faithfulness');
      expect(result['error.type']).toBe(errorType);
      expect(result['gen_ai.evaluation.score.value']).toBeUndefined();
      const metrics = await h.metrics();
      expect(counterValue(metrics, 'tracejudge.evaluation.errors', { 'error.type': errorType })).toBe(1);
    });
  }
});

describe('overload and shutdown', () => {
  it('10× load on a stalled judge: held spans and judgments stay bounded, shed work is counted, no span is lost', async () => {
    harness = await startOnlineHarness(
      () => ({ hang: true }),
      { judge: { timeout: '60s', maxRetries: 0, holdMs: 100, concurrency: 2, maxQueue: 10 } },
      { maxJudgmentsInFlight: 20, hold: { maxSpans: 30 }, drainTimeoutMs: 200 },
    );
    const h = harness;
    const conversations = 200;
    let peakHeld = 0;
    let peakInFlight = 0;
    for (let i = 0; i < conversations; i++) {
      const conversation = h.conversation(`load-${i}`);
      await conversation.turn(`question ${i}`, async (turn) => {
        await turn.tool('lookup', { i }, () => ({ ok: true }));
        turn.reply(`answer ${i}`);
        conversation.end();
      });
      const stats = h.online.stage.stats();
      peakHeld = Math.max(peakHeld, stats.heldSpans);
      peakInFlight = Math.max(peakInFlight, stats.judgmentsInFlight);
    }
    expect(peakHeld).toBeLessThanOrEqual(30);
    expect(peakInFlight).toBeLessThanOrEqual(20);
    // Let judgments already shed by the judge's queue settle; the rest hang until shutdown.
    await waitFor(() => h.online.stage.stats().judgmentsInFlight <= 20);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The judge's queue (2 running + 10 waiting) sheds first; the stage's in-flight bound (20) backs it up.
    const hanging = h.online.stage.stats().judgmentsInFlight;
    expect(hanging).toBeGreaterThan(0);
    expect(hanging).toBeLessThanOrEqual(20);
    const metrics = await h.metrics();
    const shed = counterValue(metrics, 'tracejudge.online.shed');
    expect(shed).toBe(conversations - hanging);
    expect(counterValue(metrics, 'tracejudge.online.shed', { 'tracejudge.shed.reason': 'judge_queue_full' })).toBe(conversations - hanging);

    await h.online.processor.shutdown();
    const agentSpans = h.spans().filter((span) => !span.name.startsWith('evaluate '));
    expect(agentSpans).toHaveLength(conversations * 2);
    expect(new Set(agentSpans.map((span) => span.spanContext().spanId)).size).toBe(conversations * 2);
    // Every sampled conversation has a result somewhere: on its turn span, or on a child span (judged too late).
    const withResult = new Set<string>();
    for (const span of h.spans()) {
      const results = span.events.filter((event) => event.name === 'gen_ai.evaluation.result' && event.attributes?.['gen_ai.evaluation.name'] === 'faithfulness');
      if (results.length > 0) withResult.add(String(span.attributes['gen_ai.conversation.id']));
    }
    expect(withResult.size).toBe(conversations);
    expect(h.online.stage.stats().judgmentsInFlight).toBe(0);
  });

  it('shutdown drains within its deadline: a held span is released with a judge_timeout result, nothing is lost', async () => {
    harness = await startOnlineHarness(() => ({ hang: true }), { judge: { timeout: '60s', maxRetries: 0, holdMs: 60_000 } }, { drainTimeoutMs: 150 });
    const h = harness;
    const conversation = h.conversation('conv-shutdown');
    let last = '';
    await conversation.turn('Cancel my plan', async (turn) => {
      last = turn.span.spanContext().spanId;
      turn.reply('Your plan is cancelled.');
      conversation.end();
    });
    await waitFor(() => h.server.requests.length === 1);
    expect(h.spans()).toHaveLength(0);
    await h.online.processor.shutdown();
    const result = resultNamed(h.results(last), 'faithfulness');
    expect(result['error.type']).toBe('judge_timeout');
    expect(result['tracejudge.evaluation.delivery']).toBe('span_event');
    expect(h.online.stage.stats().heldSpans).toBe(0);
  });
});
