/**
 * Online evaluation overhead: the span path with the judge stage on (sampling
 * decision, conversation buffer, hold-and-release, judge calls to a local
 * OpenAI-compatible server answering after 50 ms) versus the inline-only
 * pipeline, in the same run, alternating, medians. Then the judge stalls
 * (never answers) under 10× the load: peak RSS and spans lost (must be 0).
 *
 *   node bench/online.ts
 *
 * Workload: three-turn conversations, each turn invoke_agent + execute_tool +
 * chat with content (~1 KB per span); conversation scope, `end()` on the last
 * turn; sampling rate 0.1 (1.0 under the stall, so every conversation wants
 * the judge). Both sides end in the same counting processor, which serializes
 * batches with the OTLP JSON serializer and drops the bytes (no network).
 */
import { performance } from 'node:perf_hooks';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { createOnlineEvaluation, EvaluationSpanProcessor } from '../processors/index.ts';
import { resolveConfig } from '../src/config/index.ts';
import { chatCompletion, startOpenAITestServer } from '../test/support/openai-test-server.ts';
import type { ScriptedReply } from '../test/support/openai-test-server.ts';
import { runSuite, type BenchRow } from './bench-table.ts';


const SPANS_PER_TURN = 3;
const TURNS = 3;

/** The downstream of both sides: counts every span it is given and serializes batches as the OTLP/HTTP JSON exporter would. */
class CountingProcessor implements SpanProcessor {
  received = 0;
  #batch: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.received++;
    this.#batch.push(span);
    if (this.#batch.length >= 512) this.#flush();
  }
  #flush(): void {
    JsonTraceSerializer.serializeRequest(this.#batch);
    this.#batch = [];
  }
  async forceFlush(): Promise<void> {
    this.#flush();
  }
  async shutdown(): Promise<void> {
    this.#flush();
  }
}

function runConversation(tracer: Tracer, id: number): void {
  for (let t = 0; t < TURNS; t++) {
    const last = t === TURNS - 1;
    const turn = tracer.startSpan('invoke_agent support', {
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.conversation.id': `bench-${id}`,
        'app.vertical': id % 2 ? 'telecom' : 'dental',
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Question ${t} about order ${id}: when will it arrive and how much was shipping? `.repeat(4) }] }]),
      },
    });
    const inTurn = trace.setSpan(ROOT_CONTEXT, turn);
    tracer
      .startSpan('execute_tool order_status', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'order_status', 'gen_ai.tool.call.arguments': `{"order":${id}}`, 'gen_ai.tool.call.result': `{"status":"shipped","eta":"2026-03-0${(id % 9) + 1}","shipping_eur":4.90}` } }, inTurn)
      .end();
    tracer.startSpan('chat gpt-4.1-mini', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4.1-mini', 'gen_ai.usage.input_tokens': 900, 'gen_ai.usage.output_tokens': 120 } }, inTurn).end();
    const reply = `Your order ${id} shipped; it arrives on 2026-03-0${(id % 9) + 1}. Shipping was 4.90 EUR.`;
    turn.setAttributes({ 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: reply }], finish_reason: 'stop' }]), ...(last && { 'app.conversation_ended': true }) });
    turn.end();
  }
}

async function drive(processor: SpanProcessor, conversations: number, offset: number): Promise<number> {
  const tracer = new TracerProvider({ spanProcessors: [processor] }).getTracer('bench-agent');
  const start = performance.now();
  for (let i = 0; i < conversations; i++) {
    runConversation(tracer, offset + i);
    // Let judge I/O interleave with the app, as in a server.
    if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
  return performance.now() - start;
}

function judgeConfig(baseURL: string, rate: number, extra: Record<string, unknown> = {}) {
  return resolveConfig(
    {
      // No budget pacing: the bench measures the configured rate, not the budget's scaling of it.
      sampling: { strata: [{ name: 'all', rate }], always: [], budget: { maxJudgeCostShareOfInference: null } },
      judge: { model: 'gpt-4.1-mini', baseURL, rubrics: ['faithfulness'], maxRetries: 0, timeout: '10s', scope: 'conversation', concurrency: 8, ...extra },
    },
    { env: { OPENAI_API_KEY: 'bench' } },
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function runOnlineBench(options: { conversations?: number; runs?: number } = {}): Promise<BenchRow[]> {
  const conversations = options.conversations ?? 2_000;
  const runs = options.runs ?? 5;
  const answer: ScriptedReply = { json: chatCompletion(JSON.stringify({ reasoning: 'ok', score: 5, label: 'faithful' })), delayMs: 50 };
  const server = await startOpenAITestServer(() => answer);
  const spans = conversations * TURNS * SPANS_PER_TURN;
  const inline: number[] = [];
  const online: number[] = [];
  let lost = 0;
  try {
    for (let run = 0; run < runs; run++) {
      const plainDownstream = new CountingProcessor();
      const plain = new EvaluationSpanProcessor({ downstream: plainDownstream });
      inline.push((await drive(plain, conversations, run * conversations)) / spans);
      await plain.shutdown();

      const downstream = new CountingProcessor();
      const evaluation = await createOnlineEvaluation(judgeConfig(server.baseURL, 0.1), { downstream, drainTimeoutMs: 10_000, judgeOptions: { apiKey: 'bench' } });
      online.push((await drive(evaluation.processor, conversations, run * conversations)) / spans);
      await evaluation.shutdown();
      lost += spans - (downstream.received - evaluation.stage.stats().delivered.childSpans);
    }
    const stalled = await stalledJudge(conversations * 10);
    const inlineUs = median(inline) * 1000;
    const onlineUs = median(online) * 1000;
    return [
      { name: 'span path, inline checks only', value: round(inlineUs), unit: 'µs/span' },
      { name: 'span path, + sampling + judge stage (judge 50 ms)', value: round(onlineUs), unit: 'µs/span', baseline: round(inlineUs), ratio: round(onlineUs / inlineUs) },
      { name: 'spans lost, judge answering', value: lost, unit: 'spans', target: '0' },
      { name: `peak RSS, judge stalled, ${conversations * 10} conversations (10×)`, value: round(stalled.peakRssMb), unit: 'MB', baseline: round(stalled.startRssMb) },
      { name: 'spans lost, judge stalled (after shutdown drain)', value: stalled.lost, unit: 'spans', target: '0' },
      { name: 'judge work shed, judge stalled', value: stalled.shed, unit: 'judgments' },
    ];
  } finally {
    await server.close();
  }
}

async function stalledJudge(conversations: number): Promise<{ peakRssMb: number; startRssMb: number; lost: number; shed: number }> {
  const server = await startOpenAITestServer(() => ({ hang: true }));
  try {
    const downstream = new CountingProcessor();
    const evaluation = await createOnlineEvaluation(judgeConfig(server.baseURL, 1, { holdMs: 2_000, timeout: '60s', concurrency: 4, maxQueue: 100 }), {
      downstream,
      judgeOptions: { apiKey: 'bench' },
      maxJudgmentsInFlight: 500,
      drainTimeoutMs: 500,
    });
    const startRssMb = process.memoryUsage().rss / 1e6;
    let peakRssMb = startRssMb;
    const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 1e6)), 20);
    await drive(evaluation.processor, conversations, 0);
    peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 1e6);
    await evaluation.shutdown();
    const stats = evaluation.stage.stats();
    const shed = (stats.shed['pending_full'] ?? 0) + (stats.delivered.errors['judge_queue_full'] ?? 0);
    clearInterval(sampler);
    const agentSpans = downstream.received - evaluation.stage.stats().delivered.childSpans;
    return { peakRssMb, startRssMb, lost: conversations * TURNS * SPANS_PER_TURN - agentSpans, shed };
  } finally {
    await server.close();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}


if (import.meta.main) await runSuite('Online stage: sampling + judge', () => runOnlineBench());
