import { Agent, OpenAIChatCompletionsModel, OpenAIResponsesModel, Runner, setTraceProcessors, setTracingDisabled, tool } from '@openai/agents';
import type { AgentInputItem, Model } from '@openai/agents';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CAPTURE_CONTENT_ENV, OpenAIAgentsTracingProcessor } from '../../instrumentation/index.ts';
import { EvaluationSpanProcessor } from '../../processors/index.ts';
import { startOpenAITestServer } from '../support/openai-test-server.ts';
import type { OpenAITestServer, RecordedRequest, ScriptedReply } from '../support/openai-test-server.ts';
import { PRICE_TOOL_RESULT, priceAnswerFor, priceChatReply, TURN1_REPLY, TURN2_REPLY } from '../support/price-conversation.ts';
import { judgeAnswer, startOnlineHarness, waitFor } from '../processors/support/online-harness.ts';
import { captureDiag, installContextManager, jsonAttribute, parentOf } from './tracing-harness.ts';

/**
 * The real Agents SDK (exact version, dev dependency) running agents against the local
 * OpenAI-compatible server, bridged to OTel spans that tracejudge's inline checks read.
 * Turn 1 calls a price tool and answers with its price; turn 2 is text only and states
 * one price grounded in turn 1's tool result and one the conversation never gave.
 */

const TOOL_RESULT = JSON.stringify(PRICE_TOOL_RESULT);

function chatReply(request: RecordedRequest): ScriptedReply {
  return priceChatReply(request, 'chatcmpl-agents-');
}

function response(request: RecordedRequest): Record<string, unknown> {
  const answer = priceAnswerFor(request);
  const output =
    answer === 'call'
      ? [{ type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_price', arguments: '{"service":"cleaning"}', status: 'completed' }]
      : [{ type: 'message', id: `msg_${answer}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: answer === 'turn1' ? TURN1_REPLY : TURN2_REPLY, annotations: [] }] }];
  return {
    id: `resp-agents-${answer}`,
    object: 'response',
    created_at: 1_700_000_000,
    status: 'completed',
    model: 'test-model',
    instructions: request.body.instructions ?? null,
    output,
    usage: { input_tokens: 20, output_tokens: 7, total_tokens: 27, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
  };
}

function responsesReply(request: RecordedRequest): ScriptedReply {
  const body = response(request);
  if (request.body.stream !== true) return { json: body };
  return {
    sse: [
      { type: 'response.created', sequence_number: 0, response: { ...body, status: 'in_progress', output: [] } },
      { type: 'response.completed', sequence_number: 1, response: body },
    ],
    done: false,
  };
}

let server: OpenAITestServer;
let client: OpenAI;
beforeAll(async () => {
  installContextManager();
  server = await startOpenAITestServer((request) => (request.path.endsWith('/responses') ? responsesReply(request) : chatReply(request)));
  client = new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 });
});
afterAll(async () => {
  setTraceProcessors([]);
  await server.close();
});

function pipeline(options: { captureMessageContent?: boolean } = {}) {
  const exporter = new InMemorySpanExporter();
  const evaluation = new EvaluationSpanProcessor({ downstream: new SimpleSpanProcessor({ exporter }) });
  const tracerProvider = new TracerProvider({ spanProcessors: [evaluation] });
  const bridge = new OpenAIAgentsTracingProcessor({ tracerProvider, captureMessageContent: options.captureMessageContent ?? true });
  // Replaces the SDK's default exporter to OpenAI: nothing leaves loopback.
  setTraceProcessors([bridge]);
  setTracingDisabled(false);
  return { exporter, evaluation, tracerProvider, bridge };
}

function priceAgent(model: Model): Agent {
  const getPrice = tool({
    name: 'get_price',
    description: 'Price of a clinic service',
    parameters: z.object({ service: z.string() }),
    execute: async () => TOOL_RESULT,
  });
  return new Agent({ name: 'receptionist', instructions: 'You are a dental clinic receptionist.', model, tools: [getPrice] });
}

async function twoTurns(agent: Agent, stream: boolean, groupId = 'conv-agents-1'): Promise<void> {
  const runner = new Runner({ groupId, workflowName: 'clinic chat', traceMetadata: { vertical: 'clinic', language: 'en' } });
  const first = stream ? await runner.run(agent, 'What does a cleaning cost?', { stream: true }) : await runner.run(agent, 'What does a cleaning cost?');
  if ('toTextStream' in first && stream) await first.completed;
  expect(first.finalOutput).toBe(TURN1_REPLY);
  const history: AgentInputItem[] = [...first.history, { role: 'user', content: 'Is that right? And a filling?' }];
  const second = stream ? await runner.run(agent, history, { stream: true }) : await runner.run(agent, history);
  if (stream) await (second as { completed: Promise<void> }).completed;
  expect(second.finalOutput).toBe(TURN2_REPLY);
}

function labelsOn(span: ReadableSpan | undefined): Record<string, { label: string; explanation: string }> {
  const labels: Record<string, { label: string; explanation: string }> = {};
  for (const event of span?.events ?? []) {
    if (event.name !== 'gen_ai.evaluation.result') continue;
    labels[String(event.attributes?.['gen_ai.evaluation.name'])] = {
      label: String(event.attributes?.['gen_ai.evaluation.score.label']),
      explanation: String(event.attributes?.['gen_ai.evaluation.explanation'] ?? ''),
    };
  }
  return labels;
}

function ancestors(spans: readonly ReadableSpan[], span: ReadableSpan): ReadableSpan[] {
  const chain: ReadableSpan[] = [];
  for (let parent = parentOf(span); parent; ) {
    const found = spans.find((candidate) => candidate.spanContext().spanId === parent);
    if (!found) break;
    chain.push(found);
    parent = parentOf(found);
  }
  return chain;
}

function hrMs(time: readonly [number, number]): number {
  return time[0] * 1e3 + time[1] / 1e6;
}

function named(spans: readonly ReadableSpan[], prefix: string): ReadableSpan[] {
  return spans.filter((span) => span.name.startsWith(prefix));
}

describe.each([
  { api: 'Chat Completions', model: () => new OpenAIChatCompletionsModel(client, 'test-model'), responsePrefix: 'chatcmpl-agents-', stream: false },
  { api: 'Chat Completions, streamed', model: () => new OpenAIChatCompletionsModel(client, 'test-model'), responsePrefix: '', stream: true },
  { api: 'Responses', model: () => new OpenAIResponsesModel(client, 'test-model'), responsePrefix: 'resp-agents-', stream: false },
  { api: 'Responses, streamed', model: () => new OpenAIResponsesModel(client, 'test-model'), responsePrefix: 'resp-agents-', stream: true },
])('OpenAI Agents SDK bridge — $api', ({ model, stream }) => {
  it('gives each run an invoke_agent turn joined by the groupId, chat and execute_tool children, and checks the replies', async () => {
    const h = pipeline();
    await twoTurns(priceAgent(model()), stream);
    await h.tracerProvider.forceFlush();
    const spans = h.exporter.getFinishedSpans();

    const turns = named(spans, 'invoke_agent receptionist');
    expect(turns).toHaveLength(2);
    for (const turn of turns) {
      expect(turn.kind).toBe(SpanKind.INTERNAL);
      expect(parentOf(turn)).toBeUndefined();
      expect(turn.attributes).toMatchObject({
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'receptionist',
        'gen_ai.conversation.id': 'conv-agents-1',
        'app.vertical': 'clinic',
        'app.language': 'en',
        'openai_agents.workflow.name': 'clinic chat',
      });
    }
    const [turn1, turn2] = [...turns].sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    expect(jsonAttribute(turn1!, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'What does a cleaning cost?' }] }]);
    expect(jsonAttribute(turn2!, 'gen_ai.input.messages')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Is that right? And a filling?' }] }]);
    expect(JSON.stringify(jsonAttribute(turn2!, 'gen_ai.output.messages'))).toContain(TURN2_REPLY);

    // Every bridged span is in its turn's trace and carries the conversation id.
    for (const span of spans) {
      expect([turn1!.spanContext().traceId, turn2!.spanContext().traceId]).toContain(span.spanContext().traceId);
      expect(span.attributes['gen_ai.conversation.id']).toBe('conv-agents-1');
    }

    const chats = named(spans, 'chat test-model');
    expect(chats).toHaveLength(3);
    for (const chat of chats) {
      expect(chat.kind).toBe(SpanKind.CLIENT);
      expect(chat.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'test-model' });
      // Under the SDK's own structure (task → agent → turn), inside the run's turn span.
      expect(ancestors(spans, chat).map((span) => span.name)).toEqual(['turn', 'agent receptionist', 'task clinic chat', 'invoke_agent receptionist']);
      const agentSpan = ancestors(spans, chat)[1]!;
      expect(hrMs(agentSpan.startTime)).toBeLessThanOrEqual(hrMs(chat.startTime));
      expect(hrMs(agentSpan.endTime)).toBeGreaterThanOrEqual(hrMs(chat.endTime));
    }
    expect(chats.some((chat) => String(chat.attributes['gen_ai.system_instructions']).includes('dental clinic receptionist'))).toBe(true);
    const usage = chats.map((chat) => chat.attributes['gen_ai.usage.input_tokens']);
    expect(usage).toEqual([20, 20, 20]);

    const tools = named(spans, 'execute_tool get_price');
    expect(tools).toHaveLength(1);
    expect(tools[0]!.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_price',
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.arguments': '{"service":"cleaning"}',
      'gen_ai.tool.call.result': TOOL_RESULT,
    });

    // The checks: turn 1's price is the tool's, turn 2 repeats it (grounded by turn 1) and invents another.
    const turn1Labels = labelsOn(turn1);
    const turn2Labels = labelsOn(turn2);
    const chatWithTurn2 = chats.find((chat) => String(chat.attributes['gen_ai.output.messages']).includes('filling'));
    const turn2Checked = Object.keys(turn2Labels).length ? turn2Labels : labelsOn(chatWithTurn2);
    const turn1Checked = Object.keys(turn1Labels).length ? turn1Labels : labelsOn(chats.find((chat) => String(chat.attributes['gen_ai.output.messages']).includes(TURN1_REPLY)));
    expect(turn1Checked['commitment.price']?.label).toBe('pass');
    expect(turn1Checked['commitment.time']?.label).toBe('pass');
    expect(turn1Checked['commitment.refund']?.label).toBe('pass');
    expect(turn2Checked['commitment.price']?.label).toBe('fail');
    expect(turn2Checked['commitment.price']?.explanation).toMatch(/^ungrounded price "€95\.00"/);
    expect(turn2Checked['commitment.price']?.explanation).not.toMatch(/"€42\.00"/);
    expect(turn2Checked['commitment.time']?.label).toBe('fail');
    expect(turn2Checked['commitment.time']?.explanation).toMatch(/"16:30"/);
    expect(turn2Checked['commitment.time']?.explanation).not.toMatch(/"10:15"/);
    expect(turn2Checked['commitment.refund']?.label).toBe('fail');
    expect(turn2Checked['commitment.refund']?.explanation).toMatch(/€20\.00/);
    expect(h.evaluation.stats().repliesChecked).toBe(2);
    // Both runs are one conversation in the pipeline's memory.
    expect(h.evaluation.stats().conversationsOpen).toBe(1);
    await h.tracerProvider.shutdown();
  });
});

describe('OpenAI Agents SDK bridge — sampling and judge', () => {
  it('the judge sees one conversation per groupId, with both runs as its turns', async () => {
    const h = await startOnlineHarness(() => judgeAnswer(5), { conversations: { idleTimeout: 200 }, judge: { holdMs: 5_000 } });
    try {
      setTraceProcessors([new OpenAIAgentsTracingProcessor({ tracerProvider: h.provider, captureMessageContent: true })]);
      const agent = priceAgent(new OpenAIChatCompletionsModel(client, 'test-model'));
      await twoTurns(agent, false, 'conv-judge-a');
      await twoTurns(agent, false, 'conv-judge-b');
      await waitFor(() => h.server.requests.length === 2);
      for (const request of h.server.requests) {
        const transcript = String(request.body.messages[1].content);
        expect(transcript).toContain('What does a cleaning cost?');
        expect(transcript).toContain('And a filling?');
        expect(transcript).toContain('get_price');
      }
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(h.server.requests).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});

describe('OpenAI Agents SDK bridge — content, errors, handoffs, guardrails, bad input', () => {
  it('records no messages, instructions, tool arguments or results when content capture is off', async () => {
    const h = pipeline({ captureMessageContent: false });
    await twoTurns(priceAgent(new OpenAIChatCompletionsModel(client, 'test-model')), false);
    await h.tracerProvider.forceFlush();
    const spans = h.exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThan(5);
    for (const span of spans) {
      for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.tool.call.arguments', 'gen_ai.tool.call.result']) {
        expect(span.attributes[key], `${span.name} ${key}`).toBeUndefined();
      }
    }
    expect(named(spans, 'chat test-model')[0]!.attributes['gen_ai.usage.input_tokens']).toBe(20);
    await h.tracerProvider.shutdown();
  });

  it('without the option, content capture follows OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', async () => {
    for (const [value, captured] of [['true', true], ['span_only', true], [undefined, false]] as const) {
      if (value === undefined) delete process.env[CAPTURE_CONTENT_ENV];
      else process.env[CAPTURE_CONTENT_ENV] = value;
      try {
        const exporter = new InMemorySpanExporter();
        const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
        setTraceProcessors([new OpenAIAgentsTracingProcessor({ tracerProvider })]);
        await new Runner({ groupId: 'conv-agents-env' }).run(priceAgent(new OpenAIChatCompletionsModel(client, 'test-model')), 'What does a cleaning cost?');
        const tools = named(exporter.getFinishedSpans(), 'execute_tool get_price');
        expect(tools[0]!.attributes['gen_ai.tool.call.result'] !== undefined, String(value)).toBe(captured);
        await tracerProvider.shutdown();
      } finally {
        delete process.env[CAPTURE_CONTENT_ENV];
      }
    }
  });

  it('marks a failed tool and a failed run as errors, and the failure reaches the caller unchanged', async () => {
    const h = pipeline();
    const broken = tool({
      name: 'get_price',
      description: 'Price of a clinic service',
      parameters: z.object({ service: z.string() }),
      execute: async () => {
        throw new Error('pricing service down');
      },
      errorFunction: null,
    });
    const agent = new Agent({ name: 'receptionist', model: new OpenAIChatCompletionsModel(client, 'test-model'), tools: [broken] });
    await expect(new Runner({ groupId: 'conv-agents-err' }).run(agent, 'What does a cleaning cost?')).rejects.toThrow(/pricing service down/);
    await new Promise((resolve) => setImmediate(resolve));
    await h.tracerProvider.forceFlush();
    const spans = h.exporter.getFinishedSpans();
    const toolSpan = named(spans, 'execute_tool get_price')[0];
    expect(toolSpan?.status.code).toBe(SpanStatusCode.ERROR);
    const turn = named(spans, 'invoke_agent')[0];
    expect(turn?.attributes['gen_ai.conversation.id']).toBe('conv-agents-err');
    expect(named(spans, 'agent receptionist')[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(turn?.status.code).toBe(SpanStatusCode.ERROR);
    await h.tracerProvider.shutdown();
  });

  it('bridges handoffs and guardrails as spans with their outcome', async () => {
    const h = pipeline();
    const billing = new Agent({ name: 'billing', instructions: 'You handle billing.', model: new OpenAIChatCompletionsModel(client, 'test-model') });
    const triage = new Agent({
      name: 'triage',
      model: new OpenAIChatCompletionsModel(client, 'test-model'),
      handoffs: [billing],
      inputGuardrails: [{ name: 'no_ssn', execute: async () => ({ tripwireTriggered: false, outputInfo: 'clean' }) }],
    });
    server.setHandler((request) => {
      const body = JSON.stringify(request.body);
      const message = body.includes('transfer_to_billing') && body.includes('"role":"tool"')
        ? { role: 'assistant', content: 'Billing here: your invoice is settled.' }
        : { role: 'assistant', content: null, tool_calls: [{ id: 'call_h', type: 'function', function: { name: 'transfer_to_billing', arguments: '{}' } }] };
      return { json: { id: 'chatcmpl-handoff', object: 'chat.completion', created: 1, model: 'test-model', choices: [{ index: 0, message, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } } };
    });
    try {
      const result = await new Runner({ groupId: 'conv-agents-handoff' }).run(triage, 'About my invoice');
      expect(result.finalOutput).toBe('Billing here: your invoice is settled.');
    } finally {
      server.setHandler((request) => (request.path.endsWith('/responses') ? responsesReply(request) : chatReply(request)));
    }
    await h.tracerProvider.forceFlush();
    const spans = h.exporter.getFinishedSpans();
    const handoffSpan = named(spans, 'handoff billing')[0];
    expect(handoffSpan?.attributes).toMatchObject({ 'openai_agents.handoff.from_agent': 'triage', 'openai_agents.handoff.to_agent': 'billing' });
    const guard = named(spans, 'guardrail no_ssn')[0];
    expect(guard?.attributes['openai_agents.guardrail.triggered']).toBe(false);
    expect(named(spans, 'agent ').map((span) => span.name).sort()).toEqual(['agent billing', 'agent triage']);
    // One turn for the run, named after the agent that started it; the agents are not turns of their own.
    const turns = spans.filter((span) => span.attributes['gen_ai.operation.name'] === 'invoke_agent');
    expect(turns.map((span) => span.name)).toEqual(['invoke_agent triage']);
    expect(JSON.stringify(jsonAttribute(turns[0]!, 'gen_ai.output.messages'))).toContain('invoice is settled');
    await h.tracerProvider.shutdown();
  });

  it('never throws into the run: malformed traces and spans are logged, ended spans stay ended, memory stays bounded', async () => {
    const diag = captureDiag();
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const bridge = new OpenAIAgentsTracingProcessor({ tracerProvider, captureMessageContent: true, maxOpenSpans: 3 });
    try {
      // Not a trace at all, a span of an unknown trace, an end of a span never started: no throw.
      await bridge.onTraceStart(null as never);
      await bridge.onSpanEnd({ traceId: 't', spanId: 'never-started' } as never);
      await bridge.onSpanStart({ traceId: 'unknown', spanId: 's1', parentId: null, spanData: { type: 'custom', name: 'x' }, startedAt: 'not a date', endedAt: null, error: null });
      await bridge.onSpanEnd({ traceId: 'unknown', spanId: 's1', parentId: null, spanData: { type: 'function', name: 'f', input: 7, output: { a: 1n } } as never, startedAt: null, endedAt: 'garbage', error: null });
      const [orphan] = exporter.getFinishedSpans();
      expect(orphan?.name).toBe('execute_tool f');
      expect(orphan?.attributes['gen_ai.tool.call.result']).toBe('{"a":"1"}');
      // Runs that never end: at most maxOpenSpans open, then a warning.
      for (let i = 0; i < 10; i++) await bridge.onTraceStart({ traceId: `trace_${i}`, name: 'w', groupId: null });
      expect(diag.warnings.join('\n')).toMatch(/3 Agents SDK spans are open at once/);
      expect(diag.errors.join('\n')).toMatch(/failed in onTraceStart/);
      await bridge.shutdown();
      expect(exporter.getFinishedSpans()).toHaveLength(4);
    } finally {
      diag.restore();
      await tracerProvider.shutdown();
    }
  });
});
