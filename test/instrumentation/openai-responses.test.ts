import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentOpenAI, startConversation } from '../../instrumentation/index.ts';
import { GenAI } from '../../src/model/attributes.ts';
import { startOpenAITestServer } from '../support/openai-test-server.ts';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { jsonAttribute, parentOf, startTracing } from './tracing-harness.ts';
import type { Tracing } from './tracing-harness.ts';

let server: OpenAITestServer;
let tracing: Tracing;

const message = (text: string) => ({
  type: 'message',
  id: 'msg_1',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [] }],
});

function response(output: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'resp_1',
    object: 'response',
    created_at: 1_700_000_000,
    status: 'completed',
    model: 'test-model',
    output,
    usage: {
      input_tokens: 30,
      output_tokens: 12,
      total_tokens: 42,
      input_tokens_details: { cached_tokens: 8 },
      output_tokens_details: { reasoning_tokens: 3 },
    },
    ...extra,
  };
}

beforeAll(async () => {
  server = await startOpenAITestServer(() => ({ json: response([message('hi')]) }));
});
afterAll(() => server.close());
beforeEach(() => {
  tracing = startTracing();
});
afterEach(async () => {
  await tracing.provider.shutdown();
});

function client(captureMessageContent = true): OpenAI {
  const openai = new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 });
  return instrumentOpenAI(openai, { tracerProvider: tracing.provider, captureMessageContent });
}

describe('responses.create', () => {
  it('emits a chat span with instructions, input items, output items and usage', async () => {
    server.setHandler(() => ({
      json: response([
        message('Tuesday 10:00 is free.'),
        { type: 'function_call', id: 'fc_1', call_id: 'call_5', name: 'book', arguments: '{"slot":"tue-10"}', status: 'completed' },
      ]),
    }));
    const result = await client().responses.create({
      model: 'gpt-resp',
      instructions: 'Be brief.',
      max_output_tokens: 50,
      temperature: 0.1,
      input: [
        { role: 'developer', content: 'Use 24h times.' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Is Tuesday free?' },
            { type: 'input_image', image_url: 'https://example.test/calendar.png', detail: 'auto' },
          ],
        },
        { type: 'function_call', call_id: 'call_4', name: 'lookup', arguments: '{"day":"tue"}' },
        { type: 'function_call_output', call_id: 'call_4', output: '["10:00"]' },
      ],
    });
    expect(result.output_text).toBe('Tuesday 10:00 is free.');

    const span = tracing.one('chat gpt-resp');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      [GenAI.OPERATION_NAME]: 'chat',
      [GenAI.PROVIDER_NAME]: 'openai',
      [GenAI.REQUEST_MODEL]: 'gpt-resp',
      'gen_ai.request.max_tokens': 50,
      'gen_ai.request.temperature': 0.1,
      'openai.api.type': 'responses',
      [GenAI.RESPONSE_ID]: 'resp_1',
      [GenAI.RESPONSE_MODEL]: 'test-model',
      [GenAI.RESPONSE_FINISH_REASONS]: ['tool_call'],
      [GenAI.USAGE_INPUT_TOKENS]: 30,
      [GenAI.USAGE_OUTPUT_TOKENS]: 12,
      'gen_ai.usage.cache_read.input_tokens': 8,
      'gen_ai.usage.reasoning.output_tokens': 3,
    });
    expect(jsonAttribute(span, GenAI.SYSTEM_INSTRUCTIONS)).toEqual([
      { type: 'text', content: 'Be brief.' },
      { type: 'text', content: 'Use 24h times.' },
    ]);
    expect(jsonAttribute(span, GenAI.INPUT_MESSAGES)).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'Is Tuesday free?' },
          { type: 'uri', modality: 'image', uri: 'https://example.test/calendar.png' },
        ],
      },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_4', name: 'lookup', arguments: { day: 'tue' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_4', response: '["10:00"]' }] },
    ]);
    expect(jsonAttribute(span, GenAI.OUTPUT_MESSAGES)).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Tuesday 10:00 is free.' },
          { type: 'tool_call', id: 'call_5', name: 'book', arguments: { slot: 'tue-10' } },
        ],
        finish_reason: 'tool_call',
      },
    ]);
  });

  it('records a plain string input as one user message, and nothing of it without capture', async () => {
    server.setHandler(() => ({ json: response([message('hello')]) }));
    await client().responses.create({ model: 'with-content', input: 'hi there' });
    await client(false).responses.create({ model: 'without-content', input: 'hi there', instructions: 'secret' });
    expect(jsonAttribute(tracing.one('chat with-content'), GenAI.INPUT_MESSAGES)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'hi there' }] },
    ]);
    const quiet = tracing.one('chat without-content');
    for (const key of [GenAI.INPUT_MESSAGES, GenAI.OUTPUT_MESSAGES, GenAI.SYSTEM_INSTRUCTIONS]) expect(quiet.attributes[key]).toBeUndefined();
    expect(quiet.attributes[GenAI.USAGE_OUTPUT_TOKENS]).toBe(12);
  });

  it('maps an incomplete response (max_output_tokens) to finish reason length', async () => {
    server.setHandler(() => ({
      json: response([message('Tuesday is')], { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }),
    }));
    await client().responses.create({ model: 'gpt-resp', input: 'x', max_output_tokens: 3 });
    expect(tracing.one('chat gpt-resp').attributes[GenAI.RESPONSE_FINISH_REASONS]).toEqual(['length']);
  });

  it('a 429 is a RateLimitError on the span and to the caller', async () => {
    server.setHandler(() => ({ json: { error: { message: 'slow down', type: 'rate_limit' } }, status: 429 }));
    await expect(client().responses.create({ model: 'gpt-resp', input: 'x' })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    const span = tracing.one('chat gpt-resp');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('RateLimitError');
  });
});

describe('responses.create with stream: true', () => {
  const created = { type: 'response.created', sequence_number: 0, response: { ...response([]), id: 'resp_s', status: 'in_progress', usage: null } };
  const itemAdded = { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { ...message(''), content: [], status: 'in_progress' } };
  const partAdded = {
    type: 'response.content_part.added',
    sequence_number: 2,
    output_index: 0,
    content_index: 0,
    item_id: 'msg_1',
    part: { type: 'output_text', text: '', annotations: [] },
  };
  const delta = (text: string, sequence: number) => ({
    type: 'response.output_text.delta',
    sequence_number: sequence,
    output_index: 0,
    content_index: 0,
    item_id: 'msg_1',
    delta: text,
    logprobs: [],
  });
  const completed = { type: 'response.completed', sequence_number: 9, response: { ...response([message('Tuesday is free.')]), id: 'resp_s' } };
  const events = [created, itemAdded, partAdded, delta('Tuesday ', 3), delta('is free.', 4), completed];

  it('folds the events: the completed response wins and ends the span when the stream is consumed', async () => {
    server.setHandler(() => ({ sse: events }));
    const stream = await client().responses.create({ model: 'gpt-resp', input: 'Is Tuesday free?', stream: true });
    expect(tracing.named('chat gpt-resp')).toHaveLength(0);
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(events.map((event) => event.type));
    const span = tracing.one('chat gpt-resp');
    expect(span.attributes).toMatchObject({
      [GenAI.RESPONSE_ID]: 'resp_s',
      [GenAI.RESPONSE_FINISH_REASONS]: ['stop'],
      [GenAI.USAGE_INPUT_TOKENS]: 30,
      'gen_ai.request.stream': true,
    });
    expect(jsonAttribute(span, GenAI.OUTPUT_MESSAGES)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Tuesday is free.' }], finish_reason: 'stop' },
    ]);
  });

  it('a stream stopped before the completed event keeps the deltas and function-call arguments received', async () => {
    server.setHandler(() => ({
      sse: [
        created,
        itemAdded,
        partAdded,
        delta('Checking', 3),
        { type: 'response.output_item.added', sequence_number: 5, output_index: 1, item: { type: 'function_call', id: 'fc_1', call_id: 'call_7', name: 'lookup', arguments: '', status: 'in_progress' } },
        { type: 'response.function_call_arguments.delta', sequence_number: 6, output_index: 1, item_id: 'fc_1', delta: '{"day":"tue"}' },
      ],
      keepOpen: true,
    }));
    const stream = await client().responses.create({ model: 'gpt-resp', input: 'x', stream: true });
    let seen = 0;
    for await (const _ of stream) if (++seen === 6) break;
    const span = tracing.one('chat gpt-resp');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes[GenAI.RESPONSE_ID]).toBe('resp_s');
    expect(jsonAttribute(span, GenAI.OUTPUT_MESSAGES)).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Checking' },
          { type: 'tool_call', id: 'call_7', name: 'lookup', arguments: { day: 'tue' } },
        ],
        finish_reason: 'incomplete',
      },
    ]);
  });

  it('a response.failed event marks the span ERROR with the response error code', async () => {
    const failed = {
      type: 'response.failed',
      sequence_number: 5,
      response: { ...response([]), id: 'resp_s', status: 'failed', error: { code: 'server_error', message: 'model crashed' } },
    };
    server.setHandler(() => ({ sse: [created, failed] }));
    const stream = await client().responses.create({ model: 'gpt-resp', input: 'x', stream: true });
    for await (const _ of stream) {
      // drain
    }
    const span = tracing.one('chat gpt-resp');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'model crashed' });
    expect(span.attributes['error.type']).toBe('server_error');
    expect(span.attributes[GenAI.RESPONSE_FINISH_REASONS]).toEqual(['error']);
  });

  it("the SDK's responses.stream() helper runs through the traced create: one span, its final response intact", async () => {
    server.setHandler(() => ({ sse: events }));
    const conversation = startConversation({ id: 'conv-rs', agentName: 'a', tracerProvider: tracing.provider });
    const final = await conversation.turn('x', () => client().responses.stream({ model: 'gpt-resp', input: 'x' }).finalResponse());
    expect(final.output_text).toBe('Tuesday is free.');
    const span = tracing.one('chat gpt-resp');
    expect(span.attributes[GenAI.CONVERSATION_ID]).toBe('conv-rs');
    expect(parentOf(span)).toBe(tracing.one('invoke_agent a').spanContext().spanId);
    expect(span.attributes[GenAI.RESPONSE_FINISH_REASONS]).toEqual(['stop']);
  });
});
