import { describe, expect, it } from 'vitest';
import { EvaluationPipeline } from '../../processors/index.ts';
import { agentSpan, chatSpan, newTraceId, RecordingTarget, toolSpan } from './support/span-records.ts';

const PRICE = 'commitment.price';

/** A pipeline on a hand-driven clock. */
function pipelineAt(options: ConstructorParameters<typeof EvaluationPipeline>[0] = {}) {
  const clock = { now: 1_000_000 };
  const pipeline = new EvaluationPipeline({ ...options, now: () => clock.now });
  return { pipeline, clock };
}

/** One turn of conversation `id`: a tool result (if any), then the reply on a chat span. */
function turn(pipeline: EvaluationPipeline, id: string, reply: string, toolResult?: unknown): RecordingTarget {
  const traceId = newTraceId();
  pipeline.noteStart({ traceId, spanId: 'aaaaaaaaaaaaaaaa', attributes: { 'gen_ai.conversation.id': id } });
  if (toolResult !== undefined) pipeline.onEnding(toolSpan(traceId, toolResult), new RecordingTarget());
  const chat = new RecordingTarget();
  pipeline.onEnding(chatSpan(traceId, reply), chat);
  return chat;
}

describe('EvaluationPipeline (collector / batch front doors)', () => {
  it('adds a chat span’s own input tool results before checking its output', () => {
    const { pipeline } = pipelineAt();
    const traceId = newTraceId();
    const target = new RecordingTarget();
    const input = [
      { role: 'user', parts: [{ type: 'text', content: 'Price of Pro?' }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: { price: '$129.00' } }] },
    ];
    const results = pipeline.onEnding(chatSpan(traceId, 'Pro is $129.00.', { 'gen_ai.input.messages': JSON.stringify(input) }), target);
    expect(results.find((result) => result.name === PRICE)?.label).toBe('pass');
    expect(target.label(PRICE)).toBe('pass');
  });

  it('merges what a trace’s children left under trace:<id> into the conversation its parent reveals', () => {
    const { pipeline } = pipelineAt();
    // Children arrive before their parent, with no noteStart (an OTLP batch in arrival order).
    const traceId = newTraceId();
    pipeline.onEnding(toolSpan(traceId, { price: '$129.00' }), new RecordingTarget());
    pipeline.onEnding(chatSpan(traceId, 'Noted.'), new RecordingTarget());
    expect(pipeline.stats().conversationsOpen).toBe(1);
    pipeline.onEnding(agentSpan(traceId, 'conv-merge'), new RecordingTarget());
    expect(pipeline.stats().conversationsOpen).toBe(1);

    const later = newTraceId();
    const chat = new RecordingTarget();
    pipeline.onEnding(agentSpan(later, 'conv-merge'), new RecordingTarget());
    pipeline.onEnding(chatSpan(later, 'Yes, $129.00.'), chat);
    expect(chat.label(PRICE)).toBe('pass');
  });

  it('learns the conversation of a trace from noteStart, before any child ends', () => {
    const { pipeline } = pipelineAt();
    turn(pipeline, 'conv-start', 'Noted.', { price: '$129.00' });
    expect(turn(pipeline, 'conv-start', 'It is $129.00.').label(PRICE)).toBe('pass');
    expect(pipeline.stats().conversationsOpen).toBe(1);
    const traceId = newTraceId();
    pipeline.noteStart({ traceId, spanId: 'bbbbbbbbbbbbbbbb', attributes: { 'session.id': 'openinference-session' } });
    expect(pipeline.conversationOfTrace(traceId)).toBe('openinference-session');
    expect(pipeline.conversationOfTrace(newTraceId())).toBeUndefined();
  });

  it('dedupes the same reply within a trace, but not across traces', () => {
    const { pipeline } = pipelineAt();
    const traceId = newTraceId();
    pipeline.noteStart({ traceId, spanId: '1', attributes: { 'gen_ai.conversation.id': 'conv-d' } });
    const chat = new RecordingTarget();
    const agent = new RecordingTarget();
    pipeline.onEnding(chatSpan(traceId, 'It is $129.00.'), chat);
    pipeline.onEnding(agentSpan(traceId, 'conv-d', 'It is $129.00.'), agent);
    expect(chat.results().length).toBeGreaterThan(0);
    expect(agent.results()).toEqual([]);
    expect(turn(pipeline, 'conv-d', 'It is $129.00.').results().length).toBeGreaterThan(0);
    expect(pipeline.stats()).toMatchObject({ repliesChecked: 2, repliesDeduplicated: 1 });
  });

  it('evicts the least recently active conversation past maxOpen, counted, and forgets its grounding', () => {
    const { pipeline } = pipelineAt({ conversations: { maxOpen: 2 } });
    turn(pipeline, 'a', 'Noted.', { price: '$10.00' });
    turn(pipeline, 'b', 'Noted.', { price: '$20.00' });
    turn(pipeline, 'a', 'Still here.'); // a is now more recent than b
    turn(pipeline, 'c', 'Noted.', { price: '$30.00' }); // evicts b
    expect(pipeline.stats()).toMatchObject({ conversationsOpen: 2, conversationsEvicted: 1 });
    expect(turn(pipeline, 'a', 'That is $10.00.').label(PRICE)).toBe('pass');
    expect(turn(pipeline, 'b', 'That is $20.00.').label(PRICE)).toBe('fail');
  });

  it('forgets conversations idle past idleTimeout, counted', () => {
    const { pipeline, clock } = pipelineAt({ conversations: { idleTimeoutMs: 60_000 } });
    turn(pipeline, 'idle', 'Noted.', { price: '$10.00' });
    turn(pipeline, 'busy', 'Noted.', { price: '$20.00' });
    clock.now += 59_000;
    expect(turn(pipeline, 'busy', 'That is $20.00.').label(PRICE)).toBe('pass');
    clock.now += 2_000;
    expect(pipeline.stats()).toMatchObject({ conversationsOpen: 1, conversationsExpired: 1 });
    expect(turn(pipeline, 'idle', 'That is $10.00.').label(PRICE)).toBe('fail');
  });

  it('drops the oldest sources past maxSourcesPerConversation, counted', () => {
    const { pipeline } = pipelineAt({ conversations: { maxSourcesPerConversation: 2 } });
    // Amounts chosen so that none is one step (sum, difference) from the others.
    turn(pipeline, 'capped', 'Noted.', { price: '$13.00' });
    turn(pipeline, 'capped', 'Noted.', { price: '$29.00' });
    turn(pipeline, 'capped', 'Noted.', { price: '$71.00' });
    expect(pipeline.stats().sourcesDropped).toBe(1);
    expect(turn(pipeline, 'capped', 'That is $71.00.').label(PRICE)).toBe('pass');
    expect(turn(pipeline, 'capped', 'That is $13.00.').label(PRICE)).toBe('fail');
  });

  it('caps the characters kept per conversation, dropping the oldest', () => {
    const { pipeline } = pipelineAt({ conversations: { maxSourceChars: 60 } });
    turn(pipeline, 'chars', 'Noted.', { price: '$10.00', note: 'x'.repeat(20) });
    turn(pipeline, 'chars', 'Noted.', { price: '$20.00', note: 'y'.repeat(20) });
    expect(pipeline.stats().sourcesDropped).toBeGreaterThanOrEqual(1);
    expect(turn(pipeline, 'chars', 'That is $10.00.').label(PRICE)).toBe('fail');
  });

  it('truncates a single source longer than maxSourceChars, counted', () => {
    const { pipeline } = pipelineAt({ conversations: { maxSourceChars: 40 } });
    // The same long tool result seen in three turns (histories repeat it) is kept once.
    for (let i = 0; i < 3; i++) turn(pipeline, 'long-source', 'Noted.', { price: '$13.00', note: 'z'.repeat(200) });
    expect(pipeline.stats()).toMatchObject({ sourcesTruncated: 1, sourcesDropped: 0 });
    expect(turn(pipeline, 'long-source', 'That is $13.00.').label(PRICE)).toBe('pass');
  });

  it('evicts least recently active conversations past maxTotalSourceChars, counted', () => {
    const { pipeline } = pipelineAt({ conversations: { maxTotalSourceChars: 100 } });
    turn(pipeline, 'first', 'Noted.', { price: '$13.00', note: 'a'.repeat(30) });
    turn(pipeline, 'second', 'Noted.', { price: '$29.00', note: 'b'.repeat(30) });
    expect(pipeline.stats()).toMatchObject({ conversationsOpen: 1, conversationsEvicted: 1 });
    expect(turn(pipeline, 'second', 'That is $29.00.').label(PRICE)).toBe('pass');
    expect(turn(pipeline, 'first', 'That is $13.00.').label(PRICE)).toBe('fail');
  });

  it('keeps a source repeated in every chat span’s history once', () => {
    const { pipeline } = pipelineAt({ conversations: { maxSourcesPerConversation: 3 } });
    for (let i = 0; i < 10; i++) turn(pipeline, 'repeat', 'Noted.', { price: '$10.00' });
    expect(pipeline.stats().sourcesDropped).toBe(0);
    expect(turn(pipeline, 'repeat', 'That is $10.00.').label(PRICE)).toBe('pass');
  });

  it('catches an exception (a target that throws), counts it and returns no results', () => {
    const { pipeline } = pipelineAt();
    const traceId = newTraceId();
    pipeline.onEnding(toolSpan(traceId, { price: '$10.00' }), new RecordingTarget());
    const throwing = {
      addEvent() {
        throw new Error('span already ended');
      },
    };
    expect(() => pipeline.onEnding(chatSpan(traceId, 'That is $10.00.'), throwing)).not.toThrow();
    expect(pipeline.stats().errors).toBe(1);
  });

  it('survives a record that is not a span at all', () => {
    const { pipeline } = pipelineAt();
    expect(pipeline.onEnding(null as never, new RecordingTarget())).toEqual([]);
    expect(() => pipeline.noteStart(null as never)).not.toThrow();
    expect(pipeline.stats()).toMatchObject({ spansSeen: 1, errors: 2 });
  });
});
