/**
 * `npm run bench -- agents-bridge`: what the OpenAI Agents SDK tracing bridge adds to a run.
 *
 * One run = a triage agent that hands off to a billing agent, which calls two function tools
 * in one model turn and then answers: 3 model calls, 1 handoff, 2 tool calls, ~9 SDK spans.
 * The model is the SDK's own `OpenAIChatCompletionsModel` over a real `openai` client whose
 * `fetch` answers in-process (no sockets: the network would drown what is measured), so the
 * SDK's generation spans are produced by its real code path.
 *
 * Modes, interleaved in rounds, same process: SDK tracing disabled (the baseline); SDK tracing on
 * with no processor; the bridge onto a tracer provider with no span processor (the bridge and
 * the OTel SDK's spans); the bridge onto tracejudge's EvaluationSpanProcessor (checks on every
 * reply). Median of the rounds' µs per run.
 */
import { Agent, OpenAIChatCompletionsModel, Runner, setTraceProcessors, setTracingDisabled, tool } from '@openai/agents';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { z } from 'zod';
import { OpenAIAgentsTracingProcessor } from '../instrumentation/index.ts';
import { EvaluationSpanProcessor } from '../processors/index.ts';
import { median, runSuite, type BenchRow } from './bench-table.ts';

const RUNS_PER_ROUND = Number(process.env.BENCH_AGENTS_RUNS ?? 200);
const ROUNDS = 7;

function completion(message: Record<string, unknown>, finish: string): Response {
  const body = { id: 'chatcmpl-bench', object: 'chat.completion', created: 1, model: 'bench-model', choices: [{ index: 0, message, finish_reason: finish, logprobs: null }], usage: { prompt_tokens: 30, completion_tokens: 9, total_tokens: 39 } };
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

/** The scripted model: hand off, then two tool calls, then the answer. */
const inProcessFetch = async (_url: unknown, init?: { body?: unknown }): Promise<Response> => {
  const text = String(init?.body ?? '');
  if (!text.includes('transfer_to_billing') || !text.includes('"role":"tool"')) {
    return completion({ role: 'assistant', content: null, tool_calls: [{ id: 'call_h', type: 'function', function: { name: 'transfer_to_billing', arguments: '{}' } }] }, 'tool_calls');
  }
  if (!text.includes('price_eur')) {
    return completion(
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_p', type: 'function', function: { name: 'get_price', arguments: '{"service":"cleaning"}' } },
          { id: 'call_s', type: 'function', function: { name: 'get_slot', arguments: '{"day":"monday"}' } },
        ],
      },
      'tool_calls',
    );
  }
  return completion({ role: 'assistant', content: 'A cleaning is €42.00, and Monday at 10:15 is free.' }, 'stop');
};

const client = new OpenAI({ apiKey: 'bench', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: inProcessFetch as typeof fetch });
const model = new OpenAIChatCompletionsModel(client, 'bench-model');
const getPrice = tool({ name: 'get_price', description: 'Price of a service', parameters: z.object({ service: z.string() }), execute: async () => '{"service":"cleaning","price_eur":42}' });
const getSlot = tool({ name: 'get_slot', description: 'Free slot on a day', parameters: z.object({ day: z.string() }), execute: async () => '{"day":"monday","free_slot":"10:15"}' });
const billing = new Agent({ name: 'billing', instructions: 'You handle prices and bookings.', model, tools: [getPrice, getSlot] });
const triage = new Agent({ name: 'triage', instructions: 'Route the customer.', model, handoffs: [billing] });

type Mode = { readonly name: string; readonly setUp: () => () => Promise<void> };

const MODES: readonly Mode[] = [
  { name: 'SDK tracing disabled (baseline)', setUp: () => (setTracingDisabled(true), async () => {}) },
  { name: 'SDK tracing on, no processor', setUp: () => (setTracingDisabled(false), setTraceProcessors([]), async () => {}) },
  {
    name: 'bridge → OTel spans (no span processor)',
    setUp: () => {
      const provider = new TracerProvider();
      setTracingDisabled(false);
      setTraceProcessors([new OpenAIAgentsTracingProcessor({ tracerProvider: provider, captureMessageContent: true })]);
      return () => provider.shutdown();
    },
  },
  {
    name: 'bridge → EvaluationSpanProcessor (checks)',
    setUp: () => {
      const exporter = new InMemorySpanExporter();
      const provider = new TracerProvider({ spanProcessors: [new EvaluationSpanProcessor({ downstream: new SimpleSpanProcessor({ exporter }) })] });
      setTracingDisabled(false);
      setTraceProcessors([new OpenAIAgentsTracingProcessor({ tracerProvider: provider, captureMessageContent: true })]);
      return async () => {
        exporter.reset();
        await provider.shutdown();
      };
    },
  },
];

async function microsecondsPerRun(mode: Mode, round: number): Promise<number> {
  const tearDown = mode.setUp();
  const start = performance.now();
  for (let i = 0; i < RUNS_PER_ROUND; i++) {
    const result = await new Runner({ groupId: `bench-${round}-${i % 50}` }).run(triage, 'What does a cleaning cost, and is Monday free?');
    if (!String(result.finalOutput).includes('€42.00')) throw new Error(`unexpected output: ${String(result.finalOutput)}`);
  }
  const elapsed = performance.now() - start;
  await tearDown();
  return (elapsed * 1000) / RUNS_PER_ROUND;
}

await runSuite(`agents-bridge: OpenAI Agents SDK run (1 handoff, 2 tool calls, 3 model calls), µs per run, median of ${ROUNDS} rounds × ${RUNS_PER_ROUND} runs`, async (): Promise<BenchRow[]> => {
  // Warm-up: every mode once, so the JIT has seen every path before anything is timed.
  for (const mode of MODES) await microsecondsPerRun(mode, -1);
  const samples = new Map<string, number[]>(MODES.map((mode) => [mode.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) samples.get(mode.name)!.push(await microsecondsPerRun(mode, round));
  }
  const baseline = median(samples.get(MODES[0]!.name)!);
  const rows: BenchRow[] = MODES.map((mode) => {
    const value = median(samples.get(mode.name)!);
    return { name: mode.name, value: Math.round(value), unit: 'µs/run', baseline: Math.round(baseline), ratio: value / baseline };
  });
  const sdkOn = median(samples.get(MODES[1]!.name)!);
  const bridged = median(samples.get(MODES[2]!.name)!);
  rows.push({ name: 'bridge overhead over tracing disabled', value: Math.round(bridged - baseline), unit: 'µs/run' });
  rows.push({ name: 'bridge overhead over SDK tracing on', value: Math.round(bridged - sdkOn), unit: 'µs/run' });
  return rows;
});
