import type { LoggerProvider, Meter } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { TracejudgeConfig } from '../../src/config/index.ts';
import { LlmJudge } from '../../src/judge/index.ts';
import type { Evaluator, LlmJudgeOptions } from '../../src/judge/index.ts';
import { PiiMasker } from '../../src/privacy/index.ts';
import { OutputMasking } from '../output-masking.ts';
import { JsonlFileSink } from '../../src/results/jsonl-file-sink.ts';
import { LogEventSink } from '../../src/results/log-event-sink.ts';
import { LowScoreSink } from '../../src/results/low-score-sink.ts';
import { EvaluationMetrics } from '../../src/results/metrics.ts';
import { startMetricsExport } from '../../src/results/metrics-export.ts';
import type { MetricsExport } from '../../src/results/metrics-export.ts';
import type { ConversationSnapshot, EvaluationTarget, ResultSink } from '../../src/results/result-sink.ts';
import { snapshotOfState } from './conversation-snapshot.ts';
import { WebhookSink } from '../../src/results/webhook-sink.ts';
import { buildSampler } from '../../src/sampling/index.ts';
import type { StratifiedSampler } from '../../src/sampling/index.ts';
import { StoreResultSink, TracejudgeStore } from '../../src/store/index.ts';
import { reportError } from '../report-error.ts';
import { EvaluationPipeline } from '../evaluation-pipeline.ts';
import { EvaluationSpanProcessor } from '../evaluation-span-processor.ts';
import { pipelineOptionsFromConfig } from '../from-config.ts';
import type { ConversationBuffer, ConversationBufferLimits } from './conversation-buffer.ts';
import type { HoldLimits } from './hold-queue.ts';
import { OnlineEvaluationStage } from './online-stage.ts';
import type { OnlineScope } from './online-stage.ts';

export interface OnlineStageSetup {
  /** Trace → conversation, for turns without the attribute: `pipeline.conversationOfTrace` of the front door. */
  readonly conversationOfTrace?: (traceId: string) => string | undefined;
  /** Replaces the LLM judge built from `config.judge` (a user-written Evaluator, a CompositeEvaluator). */
  readonly evaluator?: Evaluator;
  /** Added to the judge options from the config (a client, `redact`, `env`…). */
  readonly judgeOptions?: Partial<LlmJudgeOptions>;
  /** Overrides `judge.scope`. */
  readonly scope?: OnlineScope;
  /** Default: `tracejudge` meter of a Prometheus endpoint when `metrics.prometheus` is set, else of the global provider. */
  readonly meter?: Meter;
  /** With `events.logs`: where the log-based result events go. Default: the global LoggerProvider. */
  readonly loggerProvider?: LoggerProvider;
  /** Cohort attributes on score metrics (bounded values each), e.g. [app.vertical, app.language]. */
  readonly cohortAttributes?: readonly string[];
  /** More review destinations (e.g. the store's review queue); they receive low scores and failed checks only. */
  readonly reviewSinks?: readonly ResultSink[];
  /**
   * Destinations of every result: the inline checks' (through `checkSinks`) and the judge's,
   * including the results the stage settles itself (`judge_timeout` at a drain deadline,
   * `judge_queue_full`), which an evaluator wrapper would never see.
   */
  readonly resultSinks?: readonly ResultSink[];
  readonly hold?: Partial<Omit<HoldLimits, 'holdMs'>>;
  readonly buffer?: Partial<ConversationBufferLimits>;
  readonly maxJudgmentsInFlight?: number;
  readonly drainTimeoutMs?: number;
  readonly now?: () => number;
}

/** The online stage and what it was built from; `close` after the processor's shutdown. */
export interface OnlineStageParts {
  readonly stage: OnlineEvaluationStage;
  readonly sampler: StratifiedSampler;
  readonly judge?: Evaluator;
  readonly metrics: EvaluationMetrics;
  readonly metricsExport?: MetricsExport;
  /** Sinks for inline check results (metrics, review, store): pass as the pipeline's `sinks`. */
  readonly checkSinks: readonly ResultSink[];
  /** The masker of the `privacy` section: the judge's `redact` hook and the store's masking. */
  readonly masker: PiiMasker;
  /** With a `store` section: the sink writing judged conversations and failed checks (masked) into it. */
  readonly storeSink?: StoreResultSink;
  close(): Promise<void>;
}

/**
 * The online stage from one resolved config, for any front door: the SDK
 * processor (below), the collector, `tracejudge check`. Async once: the
 * sampler's hash loads WebAssembly. Without a `judge` section the stage only
 * samples (decision attributes on every turn span); nothing is held.
 */
export async function createOnlineStage(config: TracejudgeConfig, setup: OnlineStageSetup = {}): Promise<OnlineStageParts> {
  const sampler = await buildSampler(config.sampling);
  const masker = new PiiMasker(config.privacy);
  let stage: OnlineEvaluationStage | undefined;
  // Opened before anything starts, so a corrupt or locked file fails the setup with the store's error and nothing to undo.
  const lookupMasking = OutputMasking.forConfig(config);
  const store = config.store ? storeSinkOf(config, masker, (target) => (stage ? snapshotOf(stage.buffer, target, lookupMasking) : undefined)) : undefined;
  const listen = config.metrics.prometheus?.listen;
  const metricsExport = setup.meter === undefined && listen ? startMetricsExport({ prometheus: { host: listen.host, port: listen.port } }) : undefined;
  const metrics = new EvaluationMetrics({
    ...((setup.meter ?? metricsExport) && { meter: setup.meter ?? metricsExport?.meterProvider.getMeter('tracejudge') }),
    cohortAttributes: setup.cohortAttributes ?? config.metrics.cohortAttributes,
    maxValuesPerCohortAttribute: config.metrics.maxValuesPerCohortAttribute,
    // Cohort values become label values: one that carries personal data is written as its keyed hash.
    labelValue: (value) => lookupMasking.conversationId(value),
    checksByStratum: true,
  });
  const scope: OnlineScope = setup.scope ?? config.judge?.scope ?? 'conversation';
  const judge = setup.evaluator ?? (config.judge ? new LlmJudge({ ...config.judge, scope, redact: masker.redactor(), ...setup.judgeOptions }) : undefined);
  const review = reviewSinks(config, setup.reviewSinks ?? [], masker);
  const lowScores: ResultSink[] = review.sinks.map((sink) => new LowScoreSink(sink, { below: config.review.below }));
  // Counted once per result, whichever and however many destinations take it (file, webhook, the store's queue).
  const routesToReview = review.sinks.length > 0 || (store !== undefined && config.review.queue);
  if (routesToReview) lowScores.push(new LowScoreSink({ write: () => undefined }, { below: config.review.below, onRouted: (result) => metrics.lowScore(result.name) }));
  // Each sink here gets the check results (`checkSinks`) and, through the stage's delivery, the judge results.
  const sinks: ResultSink[] = [
    ...lowScores,
    ...(store ? [store.sink] : []),
    ...(config.events.logs ? [logEventSink(setup.loggerProvider)] : []),
    ...(setup.resultSinks ?? []),
  ];
  stage = new OnlineEvaluationStage({
    sampler,
    ...(judge && { evaluator: judge }),
    scope,
    hold: { ...setup.hold, holdMs: config.judge?.holdMs ?? 30_000 },
    idleTimeoutMs: config.conversations.idleTimeout,
    buffer: { maxOpen: config.conversations.maxOpen, ...setup.buffer },
    ...(setup.maxJudgmentsInFlight !== undefined && { maxJudgmentsInFlight: setup.maxJudgmentsInFlight }),
    ...(config.judge?.deadline !== undefined && { judgeTimeoutMs: config.judge.deadline + 1_000 }),
    ...(setup.drainTimeoutMs !== undefined && { drainTimeoutMs: setup.drainTimeoutMs }),
    ...(setup.conversationOfTrace && { conversationOfTrace: setup.conversationOfTrace }),
    ...(setup.now && { now: setup.now }),
    metrics,
    sinks,
    spanEvents: config.events.spans,
    failedSpanStatus: config.events.failedSpanStatus,
    masking: OutputMasking.forConfig(config),
  });
  return {
    stage,
    sampler,
    ...(judge && { judge }),
    metrics,
    ...(metricsExport && { metricsExport }),
    checkSinks: [metrics, ...sinks],
    masker,
    ...(store && { storeSink: store.sink }),
    async close() {
      metrics.flushUndecided();
      await (judge as { close?: () => Promise<void> } | undefined)?.close?.();
      await review.flush();
      store?.sink.flush();
      // Still locked (or full) at the last try: those results are lost now, and said so.
      const waiting = store?.sink.stats().waitingForRetry ?? 0;
      if (waiting > 0) reportError(`tracejudge store ${config.store!.path} (${waiting} result batch(es) lost at shutdown: still locked or full)`, new Error('store not writable at shutdown'), 1);
      store?.store.close();
      await metricsExport?.shutdown();
    },
  };
}

export interface OnlineEvaluation extends OnlineStageParts {
  readonly processor: EvaluationSpanProcessor;
  readonly pipeline: EvaluationPipeline;
  /** Shuts the processor down (drains held spans and judgments within the deadline), then the judge and sinks. */
  shutdown(): Promise<void>;
}

/**
 * Library entry: checks + sampler + judge + hold stage + metrics + review
 * sinks from one resolved config (`loadConfig` / `resolveConfig`), as an OTel
 * SDK SpanProcessor in front of `downstream`.
 */
export async function createOnlineEvaluation(config: TracejudgeConfig, options: OnlineStageSetup & { readonly downstream: SpanProcessor }): Promise<OnlineEvaluation> {
  let pipeline: EvaluationPipeline | undefined;
  const parts = await createOnlineStage(config, { ...options, conversationOfTrace: (traceId) => pipeline?.conversationOfTrace(traceId) });
  pipeline = new EvaluationPipeline({ ...pipelineOptionsFromConfig(config), sinks: parts.checkSinks, ...(options.now && { now: options.now }) });
  const processor = new EvaluationSpanProcessor({ downstream: options.downstream, pipeline, stages: [parts.stage] });
  return {
    ...parts,
    processor,
    pipeline,
    close: parts.close,
    async shutdown() {
      await processor.shutdown();
      await parts.close();
    },
  };
}

function reviewSinks(config: TracejudgeConfig, extra: readonly ResultSink[], masker: PiiMasker): { sinks: ResultSink[]; flush(): Promise<void> } {
  const files: (JsonlFileSink | WebhookSink)[] = [];
  const { jsonl, webhook } = config.review;
  if (jsonl) files.push(new JsonlFileSink({ path: jsonl.path }));
  if (webhook) {
    const headers: Record<string, string> = {};
    for (const [name, variable] of Object.entries(webhook.headersFromEnv)) {
      const value = process.env[variable];
      if (value !== undefined) headers[name] = value;
    }
    files.push(
      new WebhookSink({ url: webhook.url, timeoutMs: webhook.timeout, maxRetries: webhook.maxRetries, maxQueued: webhook.maxQueued, headers, masker }),
    );
  }
  return { sinks: [...files, ...extra], flush: async () => void (await Promise.all(files.map((sink) => sink.flush()))) };
}

/** Log-based result events (`events.logs`), beside the span events; failures reported through `diag`. */
function logEventSink(loggerProvider: LoggerProvider | undefined): LogEventSink {
  return new LogEventSink({ ...(loggerProvider && { loggerProvider }), onError: (error, failures) => reportError('tracejudge log events', error, failures) });
}

/** The store and its sink: every judged reply and failed check, masked; low ones queued for review unless `review.queue` is off. */
function storeSinkOf(config: TracejudgeConfig, masker: PiiMasker, context: (target: EvaluationTarget) => ConversationSnapshot | undefined): { store: TracejudgeStore; sink: StoreResultSink } {
  const { path, retention } = config.store!;
  // Busy timeout 0: another writer's lock is never waited for on the host's event loop; the sink retries later.
  const store = TracejudgeStore.open(path, { maxRows: retention.maxRows, maxAgeMs: retention.maxAge, busyTimeoutMs: 0 });
  let failures = 0;
  const sink = new StoreResultSink(store, {
    masker,
    context,
    keepPassing: config.store!.keepPassing,
    ...(config.review.queue && { reviewBelow: config.review.below }),
    onError: (error, lost) => reportError(`tracejudge store ${path} (${lost} result batch(es) lost)`, error, ++failures),
    onRetry: (error, retries) => reportError(`tracejudge store ${path} (locked or full; retry #${retries}, nothing lost yet)`, error, ++failures),
  });
  return { store, sink };
}

/** The online buffer's record of a target's conversation, if it still holds it. */
function snapshotOf(buffer: ConversationBuffer, target: EvaluationTarget, masking: OutputMasking): ConversationSnapshot | undefined {
  // The written id may be a keyed hash of the real one (an id that carried personal data).
  const state = buffer.get(masking.originalConversationId(target.conversationId) ?? target.conversationId);
  return state && snapshotOfState(state, target.spanId, masking);
}
