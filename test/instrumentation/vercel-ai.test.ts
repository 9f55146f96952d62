import { createOpenAI } from '@ai-sdk/openai';
import { OpenTelemetry } from '@ai-sdk/otel';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import type { ModelMessage } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { aiSdkConversation, startConversation } from '../../instrumentation/index.ts';
import { EvaluationSpanProcessor } from '../../processors/index.ts';
import { startOpenAITestServer } from '../support/openai-test-server.ts';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { PRICE_TOOL_RESULT, priceChatReply, TURN1_REPLY, TURN2_REPLY } from '../support/price-conversation.ts';
import { captureDiag, installContextManager } from './tracing-harness.ts';

/**
 * The real AI SDK 7 (`ai`, `@ai-sdk/openai`, `@ai-sdk/otel`, exact versions) against the local
 * OpenAI-compatible server. Turn 1 is a tool loop (`generateText`), turn 2 a text-only
 * `streamText`; the conversation id comes from the runtime context through our `enrichSpan`.
 */

let server: OpenAITestServer;
beforeAll(async () => {
  installContextManager();
  server = await startOpenAITestServer((request) => priceChatReply(request, 'chatcmpl-ai-'));
});
afterAll(() => server.close());

function pipeline() {
  const exporter = new InMemorySpanExporter();
  const evaluation = new EvaluationSpanProcessor({ downstream: new SimpleSpanProcessor({ exporter }) });
  const tracerProvider = new TracerProvider({ spanProcessors: [evaluation] });
  const conversation = aiSdkConversation();
  const telemetry = { integrations: [new OpenTelemetry({ tracer: tracerProvider.getTracer('ai'), enrichSpan: conversation.enrichSpan })], includeRuntimeContext: conversation.includeRuntimeContext };
  const model = createOpenAI({ baseURL: server.baseURL, apiKey: 'test' }).chat('test-model');
  return { exporter, evaluation, tracerProvider, telemetry, model };
}

const getPrice = tool({
  description: 'Price of a clinic service',
  inputSchema: z.object({ service: z.string() }),
  execute: async () => PRICE_TOOL_RESULT,
});

async function twoTurns(h: ReturnType<typeof pipeline>, runtimeContext: Record<string, unknown> | undefined): Promise<void> {
  const messages: ModelMessage[] = [{ role: 'user', content: 'What does a cleaning cost?' }];
  const first = await generateText({ model: h.model, messages, tools: { get_price: getPrice }, stopWhen: stepCountIs(3), telemetry: h.telemetry, ...(runtimeContext && { runtimeContext }) });
  expect(first.text).toBe(TURN1_REPLY);
  messages.push(...first.response.messages, { role: 'user', content: 'Is that right? And a filling?' });
  const second = streamText({ model: h.model, messages, telemetry: h.telemetry, ...(runtimeContext && { runtimeContext }) });
  expect(await second.text).toBe(TURN2_REPLY);
}

function checkLabels(spans: readonly ReadableSpan[], replyFragment: string, check = 'commitment.price'): string[] {
  const labels: string[] = [];
  const withExplanation = labels as string[] & { explanations?: string[] };
  for (const span of spans) {
    if (!String(span.attributes['gen_ai.output.messages'] ?? '').includes(replyFragment)) continue;
    for (const event of span.events) {
      if (event.name !== 'gen_ai.evaluation.result' || event.attributes?.['gen_ai.evaluation.name'] !== check) continue;
      labels.push(String(event.attributes['gen_ai.evaluation.score.label']));
      (withExplanation.explanations ??= []).push(String(event.attributes['gen_ai.evaluation.explanation'] ?? ''));
    }
  }
  return labels;
}

describe('Vercel AI SDK: conversation id and cohort through the telemetry integration', () => {
  it('puts the runtime context\'s conversation id and cohort on every span of generateText (tool loop) and streamText, and the checks join the turns', async () => {
    const h = pipeline();
    await twoTurns(h, { conversationId: 'conv-ai-1', cohort: { vertical: 'clinic', language: 'en' } });
    await h.tracerProvider.forceFlush();
    const spans = h.exporter.getFinishedSpans();
    if (process.env.DUMP) for (const s of spans) console.log(s.name, s.kind, JSON.stringify(s.attributes).slice(0, 400));
    expect(spans.length).toBeGreaterThanOrEqual(6);
    for (const span of spans) {
      expect(span.attributes['gen_ai.conversation.id'], span.name).toBe('conv-ai-1');
      expect(span.attributes['app.vertical'], span.name).toBe('clinic');
      expect(span.attributes['app.language'], span.name).toBe('en');
    }
    expect(spans.some((span) => span.attributes['gen_ai.operation.name'] === 'execute_tool')).toBe(true);
    expect(checkLabels(spans, TURN1_REPLY)).toContain('pass');
    expect(checkLabels(spans, TURN1_REPLY, 'commitment.time')).toContain('pass');
    expect(checkLabels(spans, TURN1_REPLY, 'commitment.refund')).toContain('pass');
    const time2 = checkLabels(spans, 'filling', 'commitment.time') as string[] & { explanations?: string[] };
    expect(time2).toContain('fail');
    for (const explanation of time2.explanations ?? []) expect(explanation).toMatch(/^ungrounded time "16:30"/);
    expect(checkLabels(spans, 'filling', 'commitment.refund')).toContain('fail');
    // Both calls are one conversation in the pipeline's memory (what sampling and the judge key on).
    expect(h.evaluation.stats().conversationsOpen).toBe(1);
    // Turn 2's €42.00 is grounded by turn 1's tool result only because both turns carry one conversation id.
    const turn2 = checkLabels(spans, 'filling') as string[] & { explanations?: string[] };
    expect(turn2).toContain('fail');
    for (const explanation of turn2.explanations ?? []) {
      expect(explanation).toMatch(/^ungrounded price "€95\.00"/);
      expect(explanation).not.toMatch(/"€42\.00"/);
    }
    await h.tracerProvider.shutdown();
  });

  it('an AI SDK call inside conversation.turn(...) joins that conversation without a runtime context', async () => {
    const h = pipeline();
    const conversation = startConversation({ id: 'conv-ai-turn', agentName: 'receptionist', tracerProvider: h.tracerProvider });
    await conversation.turn('What does a cleaning cost?', async () => {
      const result = await generateText({ model: h.model, prompt: 'What does a cleaning cost?', tools: { get_price: getPrice }, stopWhen: stepCountIs(3), telemetry: h.telemetry });
      return result.text;
    });
    await h.tracerProvider.forceFlush();
    const spans = h.exporter.getFinishedSpans();
    const aiSpans = spans.filter((span) => span.instrumentationScope.name === 'ai');
    expect(aiSpans.length).toBeGreaterThanOrEqual(3);
    for (const span of spans) expect(span.attributes['gen_ai.conversation.id'], span.name).toBe('conv-ai-turn');
    const turn = spans.find((span) => span.name === 'invoke_agent receptionist')!;
    for (const span of aiSpans) expect(span.spanContext().traceId).toBe(turn.spanContext().traceId);
    await h.tracerProvider.shutdown();
  });

  it('without an id anywhere the spans carry none (never invented); a malformed id or cohort is dropped with a warning and the call succeeds', async () => {
    const diag = captureDiag();
    try {
      const h = pipeline();
      const result = await generateText({ model: h.model, prompt: 'What does a cleaning cost?', tools: { get_price: getPrice }, stopWhen: stepCountIs(3), telemetry: h.telemetry, runtimeContext: { conversationId: 42, cohort: { vertical: { nested: true }, language: 'es' } } });
      expect(result.text).toBe(TURN1_REPLY);
      await h.tracerProvider.forceFlush();
      const spans = h.exporter.getFinishedSpans();
      expect(spans.length).toBeGreaterThanOrEqual(3);
      for (const span of spans) {
        expect(span.attributes['gen_ai.conversation.id']).toBeUndefined();
        expect(span.attributes['app.vertical']).toBeUndefined();
        expect(span.attributes['app.language']).toBe('es');
      }
      expect(diag.warnings.join('\n')).toMatch(/runtimeContext\.conversationId: expected a non-empty string, got number/);
      expect(diag.warnings.join('\n')).toMatch(/runtimeContext\.cohort\.vertical/);
      await h.tracerProvider.shutdown();
    } finally {
      diag.restore();
    }
  });
});
