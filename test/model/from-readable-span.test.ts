import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConversationKey } from '../../src/model/conversation-key.ts';
import { spanRecordFromReadable } from '../../src/model/from-readable-span.ts';
import { groundingSourcesOf } from '../../src/model/grounding-sources.ts';
import { normalizeSpan } from '../../src/model/normalize.ts';
import { replyOf } from '../../src/model/reply.ts';
import { durationMs, SpanKindOtlp } from '../../src/model/span-record.ts';
import { asJsonStrings, spanRecord } from './builders.ts';
import chat from './fixtures/genai-chat.json' with { type: 'json' };

describe('spanRecordFromReadable over the real SDK 3.x', () => {
  let exporter: InMemorySpanExporter;
  let provider: TracerProvider;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'hotel-agent' }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
  });
  afterEach(async () => {
    await provider.shutdown();
  });

  /** An agent turn: invoke_agent (with the conversation id) → chat (structured content) and execute_tool. */
  async function recordTurn(): Promise<Map<string, ReadableSpan>> {
    const tracer = provider.getTracer('test');
    const agent = tracer.startSpan('invoke_agent concierge', {
      kind: SpanKind.INTERNAL,
      startTime: [1_760_000_000, 123_456_789],
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'concierge', 'gen_ai.conversation.id': 'conv-9' },
    });
    const parent = trace.setSpan(context.active(), agent);
    // The conversation id lives on the agent span only: the chat span must inherit it by trace.
    const { 'gen_ai.conversation.id': _id, ...chatAttributes } = chat.attributes;
    const llm = tracer.startSpan('chat gpt-4.1-mini', { kind: SpanKind.CLIENT, attributes: chatAttributes }, parent);
    llm.addEvent('gen_ai.choice', { index: 0 }, [1_760_000_000, 200_000_000]);
    llm.end();
    const tool = tracer.startSpan(
      'execute_tool get_room_price',
      {
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'get_room_price',
          'gen_ai.tool.call.arguments': { room: 'double' },
          'gen_ai.tool.call.result': { price_per_night: 140, extras: ['breakfast', 18] },
        },
      },
      parent,
    );
    tool.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream slow' });
    tool.end();
    agent.setAttribute('gen_ai.output.messages', [{ role: 'assistant', parts: [{ type: 'text', content: 'It is 420 EUR for 3 nights.' }] }]);
    agent.end([1_760_000_000, 623_456_789]);
    await provider.forceFlush();
    return new Map(exporter.getFinishedSpans().map((span) => [span.name.split(' ')[0], span]));
  }

  it('carries ids, parent, OTLP kind, nanosecond times, status, events and resource', async () => {
    const spans = await recordTurn();
    const agent = spanRecordFromReadable(spans.get('invoke_agent')!);
    const llm = spanRecordFromReadable(spans.get('chat')!);
    const tool = spanRecordFromReadable(spans.get('execute_tool')!);

    expect(agent.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(agent.spanId).toBe(spans.get('invoke_agent')!.spanContext().spanId);
    expect(agent.parentSpanId).toBeUndefined();
    expect(llm.traceId).toBe(agent.traceId);
    expect(llm.parentSpanId).toBe(agent.spanId);
    expect(agent.kind).toBe(SpanKindOtlp.INTERNAL);
    expect(llm.kind).toBe(SpanKindOtlp.CLIENT);
    expect(agent.startTimeUnixNano).toBe(1_760_000_000_123_456_789n);
    expect(agent.endTimeUnixNano).toBe(1_760_000_000_623_456_789n);
    expect(durationMs(agent)).toBe(500);
    expect(llm.events).toEqual([{ name: 'gen_ai.choice', timeUnixNano: 1_760_000_000_200_000_000n, attributes: { index: 0 } }]);
    expect(tool.status).toEqual({ code: 2, message: 'upstream slow' });
    expect(agent.status).toEqual({ code: 0 });
    expect(agent.resourceAttributes['service.name']).toBe('hotel-agent');
  });

  it('normalizes structured SDK attributes into the same view as their JSON-string form', async () => {
    const spans = await recordTurn();
    const record = spanRecordFromReadable(spans.get('chat')!);
    expect(Array.isArray(record.attributes['gen_ai.input.messages'])).toBe(true);
    const fromSdk = normalizeSpan(record);
    const fromJson = normalizeSpan(spanRecord({ name: record.name, attributes: asJsonStrings(record.attributes) }));
    expect(fromSdk.problems).toEqual([]);
    expect(fromSdk.inputMessages).toHaveLength(3);
    const { span: _a, ...a } = fromSdk;
    const { span: _b, ...b } = fromJson;
    expect(a).toEqual(b);
  });

  it('yields a whole turn: reply, tool result, conversation key by trace', async () => {
    const spans = await recordTurn();
    const agent = normalizeSpan(spanRecordFromReadable(spans.get('invoke_agent')!));
    const llm = normalizeSpan(spanRecordFromReadable(spans.get('chat')!));
    const tool = normalizeSpan(spanRecordFromReadable(spans.get('execute_tool')!));

    // The caller remembers trace → conversation from the span that states it.
    const conversationByTrace = new Map([[agent.span.traceId, agent.conversationId!]]);
    expect(llm.conversationId).toBeUndefined();
    const key = resolveConversationKey(llm, conversationByTrace.get(llm.span.traceId));
    expect(key).toBe('conv-9');

    expect(tool.toolCalls).toEqual([
      { name: 'get_room_price', arguments: { room: 'double' }, result: { price_per_night: 140, extras: ['breakfast', 18] } },
    ]);
    expect(groundingSourcesOf(tool).map((s) => s.text)).toEqual(['{"price_per_night":140,"extras":["breakfast",18]}']);
    expect(replyOf(llm, key)?.replyText).toBe('A double room is 140 EUR per night, so 420 EUR for 3 nights.');
    expect(replyOf(agent, key)).toMatchObject({ conversationId: 'conv-9', replyText: 'It is 420 EUR for 3 nights.' });
    expect(agent.agentName).toBe('concierge');
  });

  it('normalizes a span the SDK attribute limits truncated without throwing', async () => {
    const limited = new TracerProvider({ spanLimits: { attributeValueLengthLimit: 20 }, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const span = limited.getTracer('t').startSpan('chat gpt', {
      attributes: { 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'long reply text' }] }]) },
    });
    span.end();
    await limited.forceFlush();
    const view = normalizeSpan(spanRecordFromReadable(exporter.getFinishedSpans()[0]));
    expect(view.problems[0]).toMatch(/^gen_ai\.output\.messages: not valid JSON/);
    await limited.shutdown();
  });
});

describe('spanRecordFromReadable while the span is still writable (onEnding)', () => {
  it('shows events added after its events were first read: the checks write theirs after normalization read the content events', () => {
    const provider = new TracerProvider({
      spanProcessors: [
        {
          onStart() {},
          onEnding(span) {
            const record = spanRecordFromReadable(span as unknown as ReadableSpan);
            expect(record.events.map((event) => event.name)).toEqual(['gen_ai.content.prompt']);
            span.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'commitment.price' });
            expect(record.events.map((event) => event.name)).toEqual(['gen_ai.content.prompt', 'gen_ai.evaluation.result']);
            seen = true;
          },
          onEnd() {},
          forceFlush: () => Promise.resolve(),
          shutdown: () => Promise.resolve(),
        },
      ],
    });
    let seen = false;
    const span = provider.getTracer('test').startSpan('chat m');
    span.addEvent('gen_ai.content.prompt', { 'gen_ai.prompt': '[]' });
    span.end();
    expect(seen).toBe(true);
  });
});
