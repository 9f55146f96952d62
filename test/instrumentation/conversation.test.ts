import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startConversation } from '../../instrumentation/index.ts';
import { App, GenAI } from '../../src/model/attributes.ts';
import { jsonAttribute, parentOf, startTracing } from './tracing-harness.ts';
import type { Tracing } from './tracing-harness.ts';

let tracing: Tracing;
beforeEach(() => {
  tracing = startTracing();
});
afterEach(async () => {
  await tracing.provider.shutdown();
});

describe('a turn with a tool', () => {
  it('emits an invoke_agent span with cohort, messages and a child execute_tool span', async () => {
    const conversation = startConversation({
      id: 'conv-1',
      agentName: 'support',
      cohort: { vertical: 'clinic', language: 'es', flow: 'booking', variant: 'b', plan: 'pro' },
      attributes: { 'app.flow.age_days': 12 },
      systemInstructions: 'You book appointments. Prices: cleaning 80 EUR.',
      tracerProvider: tracing.provider,
    });
    let activeInside: unknown;
    const reply = await conversation.turn('¿Hay hueco el martes?', async (turn) => {
      activeInside = trace.getActiveSpan();
      const slots = await turn.tool('lookup_slots', { day: 'tuesday' }, async (args) => [`${args.day} 10:00`], { callId: 'call_1' });
      turn.reply(`Sí: ${slots[0]}`);
      return 'done';
    });

    expect(reply).toBe('done');
    const turnSpan = tracing.one('invoke_agent support');
    const toolSpan = tracing.one('execute_tool lookup_slots');
    expect(activeInside).toBeDefined();
    expect((activeInside as { spanContext(): { spanId: string } }).spanContext().spanId).toBe(turnSpan.spanContext().spanId);

    expect(turnSpan.kind).toBe(SpanKind.INTERNAL);
    expect(turnSpan.attributes).toMatchObject({
      [GenAI.OPERATION_NAME]: 'invoke_agent',
      [GenAI.CONVERSATION_ID]: 'conv-1',
      [GenAI.AGENT_NAME]: 'support',
      [App.VERTICAL]: 'clinic',
      [App.LANGUAGE]: 'es',
      [App.FLOW]: 'booking',
      [App.VARIANT]: 'b',
      'app.plan': 'pro',
      'app.flow.age_days': 12,
    });
    expect(jsonAttribute(turnSpan, GenAI.INPUT_MESSAGES)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: '¿Hay hueco el martes?' }] },
    ]);
    expect(jsonAttribute(turnSpan, GenAI.SYSTEM_INSTRUCTIONS)).toEqual([
      { type: 'text', content: 'You book appointments. Prices: cleaning 80 EUR.' },
    ]);
    expect(jsonAttribute(turnSpan, GenAI.OUTPUT_MESSAGES)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Sí: tuesday 10:00' }], finish_reason: 'stop' },
    ]);
    expect(turnSpan.status.code).toBe(SpanStatusCode.UNSET);

    expect(toolSpan.kind).toBe(SpanKind.INTERNAL);
    expect(parentOf(toolSpan)).toBe(turnSpan.spanContext().spanId);
    expect(toolSpan.spanContext().traceId).toBe(turnSpan.spanContext().traceId);
    expect(toolSpan.attributes).toMatchObject({
      [GenAI.OPERATION_NAME]: 'execute_tool',
      [GenAI.TOOL_NAME]: 'lookup_slots',
      [GenAI.TOOL_CALL_ID]: 'call_1',
      [GenAI.TOOL_TYPE]: 'function',
      [GenAI.CONVERSATION_ID]: 'conv-1',
    });
    expect(jsonAttribute(toolSpan, GenAI.TOOL_CALL_ARGUMENTS)).toEqual({ day: 'tuesday' });
    expect(jsonAttribute(toolSpan, GenAI.TOOL_CALL_RESULT)).toEqual(['tuesday 10:00']);
  });

  it('records the returned string as the reply when reply() was not called, and several replies as parts', async () => {
    const conversation = startConversation({ id: 'conv-r', agentName: 'a', tracerProvider: tracing.provider });
    await conversation.turn('hi', () => 'hello there');
    await conversation.turn('and?', (turn) => {
      turn.reply('first');
      turn.reply('second', { finishReason: 'length' });
      return 42;
    });
    const [returned, replied] = tracing.named('invoke_agent a');
    expect(jsonAttribute(returned!, GenAI.OUTPUT_MESSAGES)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'hello there' }], finish_reason: 'stop' },
    ]);
    expect(jsonAttribute(replied!, GenAI.OUTPUT_MESSAGES)).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'first' },
          { type: 'text', content: 'second' },
        ],
        finish_reason: 'length',
      },
    ]);
  });

  it('nests a tool called from inside another tool under that tool', async () => {
    const conversation = startConversation({ id: 'conv-n', agentName: 'a', tracerProvider: tracing.provider });
    await conversation.turn('x', async (turn) => {
      await turn.tool('plan', {}, async () => turn.tool('search', { q: 'x' }, () => 'found'));
    });
    const plan = tracing.one('execute_tool plan');
    const search = tracing.one('execute_tool search');
    expect(parentOf(search)).toBe(plan.spanContext().spanId);
  });

  it('records no text at all when captureContent is false', async () => {
    const conversation = startConversation({
      id: 'conv-private',
      agentName: 'a',
      systemInstructions: 'secret instructions',
      captureContent: false,
      tracerProvider: tracing.provider,
    });
    await conversation.turn('my card is 4111', async (turn) => {
      await turn.tool('charge', { card: '4111' }, () => ({ ok: true }));
      turn.reply('charged');
    });
    const turnSpan = tracing.one('invoke_agent a');
    const toolSpan = tracing.one('execute_tool charge');
    for (const key of [GenAI.INPUT_MESSAGES, GenAI.OUTPUT_MESSAGES, GenAI.SYSTEM_INSTRUCTIONS]) {
      expect(turnSpan.attributes[key]).toBeUndefined();
    }
    expect(toolSpan.attributes[GenAI.TOOL_CALL_ARGUMENTS]).toBeUndefined();
    expect(toolSpan.attributes[GenAI.TOOL_CALL_RESULT]).toBeUndefined();
    expect(turnSpan.attributes[GenAI.CONVERSATION_ID]).toBe('conv-private');
    expect(toolSpan.attributes[GenAI.TOOL_NAME]).toBe('charge');
  });

  it('marks the turn ERROR and rethrows the same error when the callback throws', async () => {
    const conversation = startConversation({ id: 'conv-e', agentName: 'a', tracerProvider: tracing.provider });
    const failure = new RangeError('slot out of range');
    await expect(
      conversation.turn('book', (turn) => {
        turn.reply('let me check');
        throw failure;
      }),
    ).rejects.toBe(failure);
    const turnSpan = tracing.one('invoke_agent a');
    expect(turnSpan.status.code).toBe(SpanStatusCode.ERROR);
    expect(turnSpan.attributes['error.type']).toBe('RangeError');
    expect(jsonAttribute(turnSpan, GenAI.OUTPUT_MESSAGES)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'let me check' }], finish_reason: 'error' },
    ]);
  });
});

describe('trace layouts', () => {
  it('per-turn-trace: each turn is the root of its own trace, joined by the conversation id', async () => {
    const conversation = startConversation({ id: 'call-7', agentName: 'voice', tracerProvider: tracing.provider });
    await conversation.turn('hello', () => 'hi');
    await conversation.turn('book me', () => 'booked');
    const turns = tracing.named('invoke_agent voice');
    expect(turns).toHaveLength(2);
    expect(turns[0]!.spanContext().traceId).not.toBe(turns[1]!.spanContext().traceId);
    for (const turn of turns) {
      expect(parentOf(turn)).toBeUndefined();
      expect(turn.attributes[GenAI.CONVERSATION_ID]).toBe('call-7');
    }
    expect(tracing.named('conversation voice')).toHaveLength(0);
  });

  it('per-turn-trace: a turn started from inside another turn of the conversation is its sibling, not its child', async () => {
    const conversation = startConversation({ id: 'call-8', agentName: 'voice', tracerProvider: tracing.provider });
    const outer = tracing.provider.getTracer('app');
    await outer.startActiveSpan('websocket session', async (session) => {
      await conversation.turn('first', async () => {
        await conversation.turn('barge-in', () => 'second answer');
        return 'first answer';
      });
      session.end();
    });
    const sessionSpan = tracing.one('websocket session');
    const turns = tracing.named('invoke_agent voice');
    expect(turns).toHaveLength(2);
    for (const turn of turns) expect(parentOf(turn)).toBe(sessionSpan.spanContext().spanId);
  });

  it('single-trace: one conversation span, ended by end(), parents every turn', async () => {
    const conversation = startConversation({
      id: 'call-9',
      agentName: 'voice',
      cohort: { vertical: 'clinic' },
      scope: 'single-trace',
      tracerProvider: tracing.provider,
    });
    await conversation.turn('hello', () => 'hi');
    await conversation.turn('bye', () => 'bye');
    expect(tracing.named('conversation voice')).toHaveLength(0); // still open
    conversation.end();
    expect(conversation.ended).toBe(true);

    const conversationSpan = tracing.one('conversation voice');
    expect(conversationSpan.attributes).toMatchObject({
      [GenAI.CONVERSATION_ID]: 'call-9',
      [GenAI.AGENT_NAME]: 'voice',
      [App.VERTICAL]: 'clinic',
      [App.CONVERSATION_ENDED]: true,
    });
    expect(conversationSpan.attributes[GenAI.OPERATION_NAME]).toBeUndefined();
    const turns = tracing.named('invoke_agent voice');
    // two turns and the marker span that carries conversation_ended (no turn was open)
    expect(turns).toHaveLength(3);
    for (const turn of turns) {
      expect(parentOf(turn)).toBe(conversationSpan.spanContext().spanId);
      expect(turn.spanContext().traceId).toBe(conversationSpan.spanContext().traceId);
    }
    const marker = turns[2]!;
    expect(marker.attributes[App.CONVERSATION_ENDED]).toBe(true);
    expect(marker.attributes[GenAI.INPUT_MESSAGES]).toBeUndefined();
  });

  it('stateless chat: two requests re-create the conversation from its id and yield two traces with one id', async () => {
    const server = tracing.provider.getTracer('http');
    const handleRequest = (userText: string) =>
      server.startActiveSpan('POST /chat', { root: true, kind: SpanKind.SERVER }, async (request) => {
        const conversation = startConversation({ id: 'chat-42', agentName: 'web', tracerProvider: tracing.provider });
        const answer = await conversation.turn(userText, async (turn) => {
          await turn.tool('faq', { q: userText }, () => 'answer');
          return 'answer';
        });
        request.end();
        return answer;
      });
    await handleRequest('first question');
    await handleRequest('second question');

    const requests = tracing.named('POST /chat');
    const turns = tracing.named('invoke_agent web');
    const tools = tracing.named('execute_tool faq');
    expect(requests).toHaveLength(2);
    expect(requests[0]!.spanContext().traceId).not.toBe(requests[1]!.spanContext().traceId);
    for (let i = 0; i < 2; i++) {
      expect(parentOf(turns[i]!)).toBe(requests[i]!.spanContext().spanId);
      expect(parentOf(tools[i]!)).toBe(turns[i]!.spanContext().spanId);
      expect(turns[i]!.attributes[GenAI.CONVERSATION_ID]).toBe('chat-42');
      expect(tools[i]!.attributes[GenAI.CONVERSATION_ID]).toBe('chat-42');
    }
  });
});

describe('outcome signals and end()', () => {
  const outcomeEvents = (span: { events: readonly { name: string; attributes?: Record<string, unknown> }[] }) =>
    span.events.filter((event) => event.name === App.OUTCOME_EVENT).map((event) => event.attributes);

  it('land on the running turn as attributes and app.outcome events', async () => {
    const conversation = startConversation({ id: 'c-o', agentName: 'a', tracerProvider: tracing.provider });
    await conversation.turn('I want a human', async (turn) => {
      turn.outcome.escalated({ 'app.escalation.reason': 'asked for human' });
      // the conversation-level recorder finds the turn from the active context
      conversation.outcome.ticketCreated();
      await turn.tool('book', {}, () => conversation.outcome.bookingMade());
    });
    const turnSpan = tracing.one('invoke_agent a');
    expect(turnSpan.attributes).toMatchObject({
      [App.ESCALATED]: true,
      [App.TICKET_CREATED]: true,
      [App.BOOKING_MADE]: true,
    });
    expect(outcomeEvents(turnSpan)).toEqual([
      { 'app.escalation.reason': 'asked for human', [App.OUTCOME_NAME]: 'escalated', [App.ESCALATED]: true },
      { [App.OUTCOME_NAME]: 'ticket_created', [App.TICKET_CREATED]: true },
      { [App.OUTCOME_NAME]: 'booking_made', [App.BOOKING_MADE]: true },
    ]);
    expect(tracing.named('invoke_agent a')).toHaveLength(1);
  });

  it('with no turn open, land on a marker invoke_agent span of the conversation', async () => {
    const conversation = startConversation({ id: 'c-fb', agentName: 'a', cohort: { language: 'en' }, tracerProvider: tracing.provider });
    await conversation.turn('thanks', () => 'you are welcome');
    conversation.outcome.feedback('negative');
    const [turnSpan, marker] = tracing.named('invoke_agent a');
    expect(turnSpan!.attributes[App.USER_FEEDBACK]).toBeUndefined();
    expect(marker!.attributes).toMatchObject({
      [GenAI.OPERATION_NAME]: 'invoke_agent',
      [GenAI.CONVERSATION_ID]: 'c-fb',
      [App.LANGUAGE]: 'en',
      [App.USER_FEEDBACK]: 'negative',
    });
    expect(outcomeEvents(marker!)).toEqual([{ [App.OUTCOME_NAME]: 'user_feedback', [App.USER_FEEDBACK]: 'negative' }]);
  });

  it('single-trace: also land on the conversation span; end() inside a turn marks that turn and the span ends after it', async () => {
    const conversation = startConversation({ id: 'c-s', agentName: 'a', scope: 'single-trace', tracerProvider: tracing.provider });
    await conversation.turn('transfer me', (turn) => {
      turn.outcome.escalated();
      conversation.end();
      expect(tracing.named('conversation a')).toHaveLength(0); // the open turn keeps it open
      return 'transferring';
    });
    const conversationSpan = tracing.one('conversation a');
    const turnSpan = tracing.one('invoke_agent a');
    expect(turnSpan.attributes).toMatchObject({ [App.ESCALATED]: true, [App.CONVERSATION_ENDED]: true });
    expect(conversationSpan.attributes).toMatchObject({ [App.ESCALATED]: true, [App.CONVERSATION_ENDED]: true });
    expect(outcomeEvents(conversationSpan).map((event) => event?.[App.OUTCOME_NAME])).toEqual(['escalated', 'conversation_ended']);
    expect(parentOf(turnSpan)).toBe(conversationSpan.spanContext().spanId);
  });

  it('end() with no open turn records app.conversation_ended on a marker span, once', async () => {
    const conversation = startConversation({ id: 'c-end', agentName: 'a', tracerProvider: tracing.provider });
    await conversation.turn('bye', () => 'bye');
    conversation.end({ 'app.end_reason': 'hangup' });
    conversation.end();
    const spans = tracing.named('invoke_agent a');
    expect(spans).toHaveLength(2);
    expect(spans[1]!.attributes).toMatchObject({ [App.CONVERSATION_ENDED]: true, [GenAI.CONVERSATION_ID]: 'c-end' });
    expect(outcomeEvents(spans[1]!)).toEqual([
      { 'app.end_reason': 'hangup', [App.OUTCOME_NAME]: 'conversation_ended', [App.CONVERSATION_ENDED]: true },
    ]);
  });

  it('a turn handle used after its turn ended records on a marker, not on another turn', async () => {
    const conversation = startConversation({ id: 'c-late', agentName: 'a', tracerProvider: tracing.provider });
    let firstTurn: Parameters<Parameters<typeof conversation.turn>[1]>[0] | undefined;
    await conversation.turn('one', (turn) => {
      firstTurn = turn;
      return 'ok';
    });
    await conversation.turn('two', () => {
      firstTurn!.outcome.record('refund_issued');
      return 'ok';
    });
    const spans = tracing.named('invoke_agent a');
    expect(spans).toHaveLength(3);
    const turns = spans.filter((span) => span.attributes[GenAI.INPUT_MESSAGES] !== undefined);
    const markers = spans.filter((span) => span.attributes[GenAI.INPUT_MESSAGES] === undefined);
    expect(turns.map((span) => span.attributes['app.refund_issued'])).toEqual([undefined, undefined]);
    expect(markers.map((span) => span.attributes['app.refund_issued'])).toEqual([true]);
  });
});
