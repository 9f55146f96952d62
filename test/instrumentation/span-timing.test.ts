import type { HrTime } from '@opentelemetry/api';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentOpenAI, startConversation } from '../../instrumentation/index.ts';
import { chatCompletion, startOpenAITestServer } from '../support/openai-test-server.ts';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { startTracing } from './tracing-harness.ts';

const nanos = (time: HrTime): bigint => BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);

let server: OpenAITestServer;
beforeAll(async () => {
  server = await startOpenAITestServer(() => ({ json: chatCompletion('Booked for 10:30.') }));
});
afterAll(() => server.close());

describe('our instrumentation\'s spans nest in time', () => {
  it('children start and end within their parents, with sub-millisecond starts, over 200 fast turns', async () => {
    const tracing = startTracing();
    const openai = instrumentOpenAI(new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 }), { tracerProvider: tracing.provider, captureMessageContent: true });
    const conversation = startConversation({ id: 'timing', agentName: 'clinic', tracerProvider: tracing.provider, scope: 'single-trace' });
    for (let i = 0; i < 200; i++) {
      await conversation.turn(`Turn ${i}`, async (turn) => {
        await turn.tool('find_slot', { i }, async () => ({ slot: '10:30' }));
        const completion = await openai.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: `Turn ${i}` }] });
        turn.reply(completion.choices[0]!.message.content ?? '');
        if (i % 10 === 0) turn.outcome.bookingMade();
      });
    }
    conversation.outcome.feedback('positive');
    conversation.end();
    const spans = tracing.spans();
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    let children = 0;
    let subMillisecondStarts = 0;
    let events = 0;
    for (const span of spans) {
      if (nanos(span.startTime) % 1_000_000n !== 0n) subMillisecondStarts++;
      // Outcome events too lie within their span, on the same clock (Jaeger hides events outside it).
      for (const event of span.events) {
        events++;
        expect(nanos(event.time) >= nanos(span.startTime) && nanos(event.time) <= nanos(span.endTime), `${event.name} outside ${span.name}`).toBe(true);
      }
      const parent = span.parentSpanContext && byId.get(span.parentSpanContext.spanId);
      if (!parent) continue;
      children++;
      expect(nanos(span.startTime) >= nanos(parent.startTime), `${span.name} starts before ${parent.name}`).toBe(true);
      expect(nanos(span.endTime) <= nanos(parent.endTime), `${span.name} ends after ${parent.name}`).toBe(true);
    }
    expect(children).toBeGreaterThanOrEqual(600);
    expect(events).toBeGreaterThanOrEqual(21);
    expect(subMillisecondStarts).toBeGreaterThan(spans.length / 2);
    await tracing.provider.shutdown();
  });
});
