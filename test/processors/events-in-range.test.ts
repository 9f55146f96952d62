import type { HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { runTurn } from './support/agent-spans.ts';
import { sdkHarness } from './support/harness.ts';
import { judgeAnswer, startOnlineHarness, waitFor } from './support/online-harness.ts';
import type { OnlineHarness } from './support/online-harness.ts';

const nanos = (time: HrTime): bigint => BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);

/**
 * Every evaluation event of the span lies within [start, end] in nanoseconds, and within Jaeger's
 * microsecond span (`⌊start/1000⌋` + `⌊(end−start)/1000⌋`, each truncated as Jaeger truncates them):
 * what its UI shows without "show in range".
 */
function eventsInRange(span: ReadableSpan): boolean {
  const start = nanos(span.startTime);
  const end = nanos(span.endTime);
  return span.events.filter((event) => event.name.startsWith('gen_ai.evaluation') || event.name.startsWith('tracejudge')).every((event) => {
    const at = nanos(event.time);
    const jaegerEnd = start / 1000n + (end - start) / 1000n;
    return at >= start && at <= end && at / 1000n >= start / 1000n && at / 1000n <= jaegerEnd;
  });
}

/** One final turn of a conversation judged at its end; resolves with the held span once it is exported. */
async function judgedFinalTurn(h: OnlineHarness, conversationId: string): Promise<ReadableSpan> {
  const conversation = h.conversation(conversationId, { vertical: 'telecom' });
  let last = '';
  await conversation.turn('Thanks, bye', async (turn) => {
    last = turn.span.spanContext().spanId;
    turn.reply('Goodbye!');
    conversation.end();
  });
  await waitFor(() => h.spans().some((span) => span.spanContext().spanId === last));
  return h.spans().find((candidate) => candidate.spanContext().spanId === last)!;
}

let harness: OnlineHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('result events lie within their span', () => {
  it('inline check results are stamped at the span\'s end (the SDK would stamp them after it)', () => {
    const h = sdkHarness();
    const turn = runTurn(h.tracer, {
      conversationId: 'conv-range',
      user: 'How much is the Pro plan?',
      tools: [{ name: 'lookup_plan', result: { monthly_price: '$99.00' } }],
      reply: 'The Pro plan costs $129.00 per month.',
    });
    const chat = h.spans().find((span) => span.spanContext().spanId === turn.chatSpanId)!;
    const results = chat.events.filter((event) => event.name === 'gen_ai.evaluation.result');
    expect(results.length).toBeGreaterThan(0);
    expect(eventsInRange(chat)).toBe(true);
    // At the end, as a whole microsecond (event-time.ts): under 2 µs before it.
    for (const event of results) expect(nanos(chat.endTime) - nanos(event.time)).toBeLessThan(2_000n);
  });

  it('judge results appended to a held span are stamped at its end, the real time in tracejudge.evaluated_at', async () => {
    harness = await startOnlineHarness(() => judgeAnswer(5, 'faithful', 30));
    const span = await judgedFinalTurn(harness, 'conv-held-range');
    const judged = span.events.filter((event) => event.name === 'gen_ai.evaluation.result' && event.attributes?.['tracejudge.evaluation.source'] === 'judge');
    expect(judged).toHaveLength(1);
    expect(eventsInRange(span)).toBe(true);
    const evaluatedAt = Date.parse(String(judged[0]!.attributes?.['tracejudge.evaluated_at']));
    expect(evaluatedAt).toBeGreaterThanOrEqual(Number(nanos(span.endTime) / 1_000_000n));
  });
});

describe('the held span carries the summary of its judge results', () => {
  it('a low judge score marks the held final turn span failed, with the name and the minimum score', async () => {
    harness = await startOnlineHarness(() => judgeAnswer(1));
    const span = await judgedFinalTurn(harness, 'conv-held-summary');
    expect(span.attributes).toMatchObject({ 'tracejudge.evaluation.failed': true, 'tracejudge.evaluation.failed_names': ['faithfulness'], 'tracejudge.evaluation.min_score': 0 });
  });
});
