import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { instrumentOpenAI, startConversation } from '../../instrumentation/index.ts';
import { GenAI } from '../../src/model/attributes.ts';
import { chatCompletion, startOpenAITestServer } from '../support/openai-test-server.ts';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { captureDiag, jsonAttribute, parentOf, startTracing } from './tracing-harness.ts';
import type { Tracing } from './tracing-harness.ts';

let server: OpenAITestServer;
let tracing: Tracing;
let port: number;

beforeAll(async () => {
  server = await startOpenAITestServer(() => ({ json: chatCompletion('Hello!') }));
  port = Number(new URL(server.baseURL).port);
});
afterAll(() => server.close());
beforeEach(() => {
  tracing = startTracing();
  server.requests.length = 0;
  server.setHandler(() => ({ json: chatCompletion('Hello!') }));
});
afterEach(async () => {
  delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
  await tracing.provider.shutdown();
});

function client(options: { captureMessageContent?: boolean; maxRetries?: number } = {}): OpenAI {
  const openai = new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: options.maxRetries ?? 0 });
  return instrumentOpenAI(openai, { tracerProvider: tracing.provider, captureMessageContent: options.captureMessageContent });
}

const conversationMessages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are a clinic receptionist.' },
  { role: 'developer', content: [{ type: 'text', text: 'Never promise refunds.' }] },
  { role: 'user', content: 'Is Tuesday free?' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_slots', arguments: '{"day":"tue"}' } }],
  },
  { role: 'tool', tool_call_id: 'call_1', content: '["10:00"]' },
];

function chunk(delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}): unknown {
  return {
    id: 'chatcmpl-stream',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'test-model-2026',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
    ...extra,
  };
}

const toolCallStream = [
  chunk({ role: 'assistant', content: 'Let me ' }),
  chunk({ content: 'check.' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { name: 'lookup_slots', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"day":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"tue"}' } }] }),
  chunk({}, 'tool_calls'),
  { id: 'chatcmpl-stream', object: 'chat.completion.chunk', created: 1, model: 'test-model-2026', choices: [], usage: { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 } },
];

describe('chat.completions.create', () => {
  it('emits a chat CLIENT span with request, response and usage attributes, and no content by default', async () => {
    const openai = client();
    const completion = await openai.chat.completions.create({
      model: 'gpt-test',
      messages: conversationMessages,
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 100,
      seed: 7,
      stop: ['\n\n'],
    });
    expect(completion.choices[0]!.message.content).toBe('Hello!');

    const span = tracing.one('chat gpt-test');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      [GenAI.OPERATION_NAME]: 'chat',
      [GenAI.PROVIDER_NAME]: 'openai',
      [GenAI.REQUEST_MODEL]: 'gpt-test',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.max_tokens': 100,
      'gen_ai.request.seed': 7,
      'gen_ai.request.stop_sequences': ['\n\n'],
      [GenAI.RESPONSE_MODEL]: 'test-model',
      [GenAI.RESPONSE_ID]: 'chatcmpl-test',
      [GenAI.RESPONSE_FINISH_REASONS]: ['stop'],
      [GenAI.USAGE_INPUT_TOKENS]: 10,
      [GenAI.USAGE_OUTPUT_TOKENS]: 5,
      'server.address': '127.0.0.1',
      'server.port': port,
    });
    for (const content of [GenAI.INPUT_MESSAGES, GenAI.OUTPUT_MESSAGES, GenAI.SYSTEM_INSTRUCTIONS]) {
      expect(span.attributes[content]).toBeUndefined();
    }
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('keeps APIPromise features: withResponse() gives the data and the raw Response', async () => {
    server.setHandler(() => ({ json: chatCompletion('Hi'), headers: { 'x-request-id': 'req_123' } }));
    const { data, response, request_id } = await client()
      .chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('Hi');
    expect(response.status).toBe(200);
    expect(request_id).toBe('req_123');
    expect(tracing.one('chat gpt-test').attributes[GenAI.RESPONSE_ID]).toBe('chatcmpl-test');
  });

  it('records messages as GenAI JSON when captureMessageContent is set', async () => {
    server.setHandler(() => ({
      json: chatCompletion(null, {
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: 'Booking Tuesday 10:00.',
              refusal: null,
              tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'book', arguments: '{"slot":"tue-10"}' } }],
            },
            finish_reason: 'tool_calls',
            logprobs: null,
          },
        ],
      }),
    }));
    await client({ captureMessageContent: true }).chat.completions.create({ model: 'gpt-test', messages: conversationMessages });
    const span = tracing.one('chat gpt-test');
    expect(jsonAttribute(span, GenAI.SYSTEM_INSTRUCTIONS)).toEqual([
      { type: 'text', content: 'You are a clinic receptionist.' },
      { type: 'text', content: 'Never promise refunds.' },
    ]);
    expect(jsonAttribute(span, GenAI.INPUT_MESSAGES)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Is Tuesday free?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'lookup_slots', arguments: { day: 'tue' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: '["10:00"]' }] },
    ]);
    expect(jsonAttribute(span, GenAI.OUTPUT_MESSAGES)).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Booking Tuesday 10:00.' },
          { type: 'tool_call', id: 'call_2', name: 'book', arguments: { slot: 'tue-10' } },
        ],
        finish_reason: 'tool_call',
      },
    ]);
    expect(span.attributes[GenAI.RESPONSE_FINISH_REASONS]).toEqual(['tool_calls']);
  });

  it('captures content when OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true, and the option overrides the variable', async () => {
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
    await client().chat.completions.create({ model: 'env-on', messages: [{ role: 'user', content: 'hi' }] });
    await client({ captureMessageContent: false }).chat.completions.create({ model: 'option-off', messages: [{ role: 'user', content: 'hi' }] });
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'false';
    await client().chat.completions.create({ model: 'env-off', messages: [{ role: 'user', content: 'hi' }] });
    expect(jsonAttribute(tracing.one('chat env-on'), GenAI.OUTPUT_MESSAGES)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hello!' }], finish_reason: 'stop' },
    ]);
    expect(tracing.one('chat option-off').attributes[GenAI.INPUT_MESSAGES]).toBeUndefined();
    expect(tracing.one('chat env-off').attributes[GenAI.OUTPUT_MESSAGES]).toBeUndefined();
  });

  it('inside a conversation turn and tool: child spans keyed by the conversation id', async () => {
    const openai = client();
    const conversation = startConversation({ id: 'conv-llm', agentName: 'support', tracerProvider: tracing.provider });
    await conversation.turn('hello', async (turn) => {
      await openai.chat.completions.create({ model: 'in-turn', messages: [{ role: 'user', content: 'hello' }] });
      await turn.tool('summarize', {}, () =>
        openai.chat.completions.create({ model: 'in-tool', messages: [{ role: 'user', content: 'sum' }] }),
      );
    });
    const turn = tracing.one('invoke_agent support');
    const tool = tracing.one('execute_tool summarize');
    const inTurn = tracing.one('chat in-turn');
    const inTool = tracing.one('chat in-tool');
    expect(parentOf(inTurn)).toBe(turn.spanContext().spanId);
    expect(parentOf(inTool)).toBe(tool.spanContext().spanId);
    for (const span of [inTurn, inTool]) {
      expect(span.attributes[GenAI.CONVERSATION_ID]).toBe('conv-llm');
      expect(span.spanContext().traceId).toBe(turn.spanContext().traceId);
    }
  });

  it('outside any turn, takes the conversation id from a gen_ai.conversation.id baggage entry (an upstream service set it)', async () => {
    const openai = client();
    const withBaggage = propagation.setBaggage(context.active(), propagation.createBaggage({ [GenAI.CONVERSATION_ID]: { value: 'from-upstream' } }));
    await context.with(withBaggage, () => openai.chat.completions.create({ model: 'baggage', messages: [{ role: 'user', content: 'x' }] }));
    await openai.chat.completions.create({ model: 'no-baggage', messages: [{ role: 'user', content: 'x' }] });
    expect(tracing.one('chat baggage').attributes[GenAI.CONVERSATION_ID]).toBe('from-upstream');
    expect(tracing.one('chat no-baggage').attributes[GenAI.CONVERSATION_ID]).toBeUndefined();
  });

  it('given something that is not a client, warns and returns it untouched', () => {
    const diagnostics = captureDiag();
    try {
      const notAClient = { chat: {} } as unknown as OpenAI;
      expect(instrumentOpenAI(notAClient, { tracerProvider: tracing.provider })).toBe(notAClient);
      expect(() => instrumentOpenAI(undefined as unknown as OpenAI)).not.toThrow();
      expect(diagnostics.warnings.some((w) => w.includes('client.chat.completions.create is not a function'))).toBe(true);
      expect(diagnostics.warnings.some((w) => w.includes('"client" must be an OpenAI instance, got undefined'))).toBe(true);
    } finally {
      diagnostics.restore();
    }
  });

  it('does not touch other clients, and instrumenting twice still gives one span per call', async () => {
    const plain = new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 });
    await plain.chat.completions.create({ model: 'untraced', messages: [{ role: 'user', content: 'hi' }] });
    const traced = client();
    instrumentOpenAI(traced, { tracerProvider: tracing.provider });
    await traced.chat.completions.create({ model: 'traced', messages: [{ role: 'user', content: 'hi' }] });
    expect(tracing.spans().map((span) => span.name)).toEqual(['chat traced']);
  });
});

describe('chat.completions.create with stream: true', () => {
  it('ends the span when the stream is consumed, with content deltas, tool-call deltas and the usage chunk folded in', async () => {
    server.setHandler(() => ({ sse: toolCallStream }));
    const stream = await client({ captureMessageContent: true }).chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Is Tuesday free?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(tracing.named('chat gpt-test')).toHaveLength(0);
    const received: unknown[] = [];
    for await (const item of stream) received.push(item);
    expect(received).toHaveLength(toolCallStream.length);

    const span = tracing.one('chat gpt-test');
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      [GenAI.RESPONSE_ID]: 'chatcmpl-stream',
      [GenAI.RESPONSE_MODEL]: 'test-model-2026',
      [GenAI.RESPONSE_FINISH_REASONS]: ['tool_calls'],
      [GenAI.USAGE_INPUT_TOKENS]: 20,
      [GenAI.USAGE_OUTPUT_TOKENS]: 7,
    });
    expect(typeof span.attributes['gen_ai.response.time_to_first_chunk']).toBe('number');
    expect(jsonAttribute(span, GenAI.OUTPUT_MESSAGES)).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Let me check.' },
          { type: 'tool_call', id: 'call_9', name: 'lookup_slots', arguments: { day: 'tue' } },
        ],
        finish_reason: 'tool_call',
      },
    ]);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('keeps the stream an openai Stream: tee() branches are observed too', async () => {
    server.setHandler(() => ({ sse: toolCallStream }));
    const stream = await client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], stream: true });
    expect(typeof stream.tee).toBe('function');
    expect(stream.controller).toBeInstanceOf(AbortController);
    const [left, right] = stream.tee();
    let count = 0;
    for await (const _ of left) count++;
    for await (const _ of right) count++;
    expect(count).toBe(toolCallStream.length * 2);
    expect(tracing.one('chat gpt-test').attributes[GenAI.USAGE_OUTPUT_TOKENS]).toBe(7);
  });

  it('a consumer that breaks out midway still ends the span, with what arrived so far', async () => {
    server.setHandler(() => ({ sse: toolCallStream.slice(0, 2), keepOpen: true }));
    const stream = await client({ captureMessageContent: true }).chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    for await (const _ of stream) break;
    const span = tracing.one('chat gpt-test');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes[GenAI.RESPONSE_FINISH_REASONS]).toBeUndefined();
    expect(jsonAttribute(span, GenAI.OUTPUT_MESSAGES)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Let me ' }], finish_reason: 'incomplete' },
    ]);
  });

  it('an abort through the stream controller while waiting for chunks ends the span', async () => {
    server.setHandler(() => ({ sse: toolCallStream.slice(0, 1), keepOpen: true }));
    const stream = await client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], stream: true });
    const received: unknown[] = [];
    const consumed = (async () => {
      for await (const item of stream) {
        received.push(item);
        stream.controller.abort();
      }
    })();
    await consumed;
    expect(received).toHaveLength(1);
    expect(tracing.named('chat gpt-test')).toHaveLength(1);
  });

  it('an error event in the stream fails the span and reaches the consumer', async () => {
    server.setHandler(() => ({ sse: [toolCallStream[0], { error: { message: 'overloaded', type: 'server_error' } }] }));
    const stream = await client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], stream: true });
    const consume = async () => {
      for await (const _ of stream) {
        // drain
      }
    };
    await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
    const span = tracing.one('chat gpt-test');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('APIError');
  });
});

describe('chat.completions.parse', () => {
  const Slot = z.object({ slot: z.string(), price_eur: z.number() });

  it('emits one span for the parse call (not a second one for its inner create) and returns the parsed object', async () => {
    server.setHandler(() => ({ json: chatCompletion('{"slot":"tue-10","price_eur":80}') }));
    const completion = await client({ captureMessageContent: true }).chat.completions.parse({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Book Tuesday' }],
      response_format: zodResponseFormat(Slot, 'slot'),
    });
    expect(completion.choices[0]!.message.parsed).toEqual({ slot: 'tue-10', price_eur: 80 });
    expect(tracing.spans()).toHaveLength(1);
    const span = tracing.one('chat gpt-test');
    expect(span.attributes[GenAI.OUTPUT_TYPE]).toBe('json');
    expect(jsonAttribute(span, GenAI.OUTPUT_MESSAGES)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: '{"slot":"tue-10","price_eur":80}' }], finish_reason: 'stop' },
    ]);
  });

  it('a reply that fails the schema fails the span with the error the caller gets', async () => {
    server.setHandler(() => ({ json: chatCompletion('{"slot":42}') }));
    const attempt = client().chat.completions.parse({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Book Tuesday' }],
      response_format: zodResponseFormat(Slot, 'slot'),
    });
    const error = await attempt.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    const span = tracing.one('chat gpt-test');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe((error as Error).constructor.name);
  });
});

describe('API errors', () => {
  it('a 500 is recorded on the span and rethrown as the same openai error class', async () => {
    server.setHandler(() => ({ json: { error: { message: 'upstream exploded', type: 'server_error' } }, status: 500 }));
    const attempt = client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] });
    await expect(attempt).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const span = tracing.one('chat gpt-test');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.status.message).toContain('upstream exploded');
    expect(span.attributes['error.type']).toBe('InternalServerError');
  });

  it('a 400 is a BadRequestError on the span and to the caller', async () => {
    server.setHandler(() => ({ json: { error: { message: 'bad temperature', type: 'invalid_request_error', param: 'temperature' } }, status: 400 }));
    await expect(client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], temperature: 9 })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
    expect(tracing.one('chat gpt-test').attributes['error.type']).toBe('BadRequestError');
  });

  it('a request retried by the SDK after a 500 is one span, ending OK', async () => {
    server.setHandler((_request, index) =>
      index === 0 ? { json: { error: { message: 'blip' } }, status: 500, headers: { 'retry-after-ms': '1' } } : { json: chatCompletion('ok') },
    );
    const completion = await client({ maxRetries: 1 }).chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]!.message.content).toBe('ok');
    expect(server.requests).toHaveLength(2);
    const span = tracing.one('chat gpt-test');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a dropped connection fails the span with the connection error', async () => {
    server.setHandler(() => ({ destroy: true }));
    await expect(client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.APIConnectionError,
    );
    expect(tracing.one('chat gpt-test').attributes['error.type']).toBe('APIConnectionError');
  });
});

describe("the SDK's chat helpers", () => {
  it('chat.completions.stream() runs through the traced create: one span, its final completion intact', async () => {
    server.setHandler(() => ({ sse: toolCallStream }));
    const runner = client({ captureMessageContent: true }).chat.completions.stream({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Is Tuesday free?' }],
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]!.message.tool_calls?.[0]).toMatchObject({ id: 'call_9', function: { name: 'lookup_slots' } });
    const span = tracing.one('chat gpt-test');
    expect(span.attributes[GenAI.USAGE_OUTPUT_TOKENS]).toBe(7);
    expect(span.attributes[GenAI.RESPONSE_FINISH_REASONS]).toEqual(['tool_calls']);
  });
});
