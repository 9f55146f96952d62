import type { Attributes } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { startConversation } from '../../../instrumentation/index.ts';
import type { Conversation } from '../../../instrumentation/index.ts';
import { createOnlineEvaluation } from '../../../processors/index.ts';
import type { OnlineEvaluation, OnlineStageSetup } from '../../../processors/index.ts';
import { resolveConfig } from '../../../src/config/index.ts';
import type { TracejudgeConfigInput } from '../../../src/config/index.ts';
import { installContextManager } from '../../instrumentation/tracing-harness.ts';
import { chatCompletion, startOpenAITestServer } from '../../support/openai-test-server.ts';
import type { OpenAITestServer, ScriptHandler, ScriptedReply } from '../../support/openai-test-server.ts';
import { evaluationEvents } from './harness.ts';

/** Keeps what it exported across shutdown (InMemorySpanExporter forgets on shutdown), so tests can look after draining. */
export class CollectingExporter implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.spans.push(...spans);
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

/** A faithfulness answer (scale 1..5) as the judge's structured output. */
export function judgeAnswer(score: number, label = score >= 4 ? 'faithful' : 'unfaithful', delayMs?: number): ScriptedReply {
  const usage = { prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050 };
  return { json: chatCompletion(JSON.stringify({ reasoning: 'checked against the tool results', score, label }), { usage }), ...(delayMs !== undefined && { delayMs }) };
}

export interface OnlineHarness {
  readonly server: OpenAITestServer;
  readonly online: OnlineEvaluation;
  readonly provider: TracerProvider;
  readonly exporter: CollectingExporter;
  readonly metricExporter: InMemoryMetricExporter;
  readonly meterProvider: MeterProvider;
  spans(): ReadableSpan[];
  span(spanId: string): ReadableSpan;
  results(spanId: string): Attributes[];
  /** Exported `evaluate …` child spans. */
  childSpans(): ReadableSpan[];
  conversation(id: string, cohort?: Record<string, string>): Conversation;
  /** Runs one turn: an optional tool call, then a reply. */
  turn(conversation: Conversation, user: string, reply: string, tool?: { name: string; result: unknown }): Promise<string>;
  metrics(): Promise<MetricData[]>;
  close(): Promise<void>;
}

/**
 * The real pieces: TracerProvider → createOnlineEvaluation (checks, sampler,
 * LlmJudge over the real openai client, hold stage) → SimpleSpanProcessor →
 * InMemorySpanExporter; the judge is the local OpenAI-compatible server; the
 * metrics go to an in-memory exporter through the SDK's MeterProvider.
 */
/** Config sections as a test writes them: the judge's model and endpoint are filled in by the harness. */
export type OnlineTestConfig = Omit<TracejudgeConfigInput, 'judge'> & { readonly judge?: Partial<NonNullable<TracejudgeConfigInput['judge']>> };

export async function startOnlineHarness(handler: ScriptHandler, config: OnlineTestConfig = {}, setup: OnlineStageSetup = {}): Promise<OnlineHarness> {
  installContextManager();
  const server = await startOpenAITestServer(handler);
  const exporter = new CollectingExporter();
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const resolved = resolveConfig(
    {
      sampling: { strata: [{ name: 'all', rate: 1 }], ...config.sampling },
      judge: { model: 'gpt-4.1-mini', baseURL: server.baseURL, rubrics: ['faithfulness'], maxRetries: 0, timeout: '5s', scope: 'conversation', ...config.judge },
      ...(config.conversations && { conversations: config.conversations }),
      ...(config.review && { review: config.review }),
      ...(config.store && { store: config.store }),
      ...(config.privacy && { privacy: config.privacy }),
      ...(config.events && { events: config.events }),
    },
    { env: { OPENAI_API_KEY: 'test-key' } },
  );
  const online = await createOnlineEvaluation(resolved, {
    downstream: new SimpleSpanProcessor({ exporter }),
    meter: meterProvider.getMeter('tracejudge'),
    judgeOptions: { apiKey: 'test-key' },
    ...setup,
  });
  const provider = new TracerProvider({ spanProcessors: [online.processor] });
  const spans = () => exporter.spans;
  const span = (spanId: string) => {
    const found = spans().find((candidate) => candidate.spanContext().spanId === spanId);
    if (!found) throw new Error(`span ${spanId} was not exported`);
    return found;
  };
  return {
    server,
    online,
    provider,
    exporter,
    metricExporter,
    meterProvider,
    spans,
    span,
    results: (spanId) => evaluationEvents(span(spanId).events),
    childSpans: () => spans().filter((candidate) => candidate.name.startsWith('evaluate ')),
    conversation: (id, cohort) =>
      startConversation({ id, tracerProvider: provider, agentName: 'support', captureContent: true, systemInstructions: 'You are the support agent.', ...(cohort && { cohort }) }),
    async turn(conversation, user, reply, tool) {
      let spanId = '';
      await conversation.turn(user, async (turn) => {
        spanId = turn.span.spanContext().spanId;
        if (tool) await turn.tool(tool.name, { q: user }, () => tool.result);
        turn.reply(reply);
      });
      return spanId;
    },
    async metrics() {
      await reader.forceFlush();
      const exported = metricExporter.getMetrics();
      return exported.flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics));
    },
    async close() {
      await online.shutdown();
      await meterProvider.shutdown();
      await server.close();
    },
  };
}

/** Sum of a counter's points whose attributes include `match`. */
export function counterValue(metrics: readonly MetricData[], name: string, match: Attributes = {}): number {
  const metric = metrics.filter((candidate) => candidate.descriptor.name === name).at(-1);
  if (!metric) return 0;
  let total = 0;
  for (const point of metric.dataPoints) {
    if (Object.entries(match).every(([key, value]) => point.attributes[key] === value)) total += point.value as number;
  }
  return total;
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
