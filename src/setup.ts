import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { LoggerProvider } from '@opentelemetry/api';
import { parse as parseYaml } from 'yaml';
import { setupTracejudge as setupInstrumentation, TracejudgeSetupError } from '../instrumentation/setup.ts';
import type { TracejudgeSetup as InstrumentationSetup, TracejudgeSetupOptions as InstrumentationSetupOptions } from '../instrumentation/setup.ts';
import { createOnlineStage, EvaluationPipeline, EvaluationSpanProcessor, GenAIContentLogProcessor, pipelineOptionsFromConfig } from '../processors/index.ts';
import type { OnlineEvaluationStage, OnlineStageParts, OnlineStageSetup, ProcessorStats } from '../processors/index.ts';
import { reportError } from '../processors/report-error.ts';
import { ConfigError, parseConfig, resolveConfig } from './config/index.ts';
import type { TracejudgeConfig, TracejudgeConfigInput } from './config/index.ts';
import type { Evaluator } from './judge/index.ts';
import { LogEventSink } from './results/index.ts';
import type { ResultSink } from './results/index.ts';

export interface SetupOptions extends Omit<InstrumentationSetupOptions, 'spanProcessors'> {
  /**
   * The tracejudge config: an object (as `resolveConfig` takes it) or the path of a YAML / JSON file
   * (as `loadConfig` reads it, with `${ENV}` substitution). Default: `{}` (inline checks only).
   */
  readonly config?: TracejudgeConfigInput | string;
  /**
   * Also receive every result: inline check results as each reply is checked, judge results as they
   * are settled — the judge's answers and what the stage settles itself (`judge_timeout`, `judge_queue_full`).
   */
  readonly sinks?: readonly ResultSink[];
  /** Replaces the LLM judge built from `config.judge` (a user-written Evaluator); turns the online stage on. */
  readonly evaluator?: Evaluator;
  /** More wiring of the online stage (cohort attributes on score metrics, a meter, review sinks, bounds). */
  readonly online?: Omit<OnlineStageSetup, 'evaluator' | 'conversationOfTrace'>;
}

export interface SetupStats {
  readonly processor: ProcessorStats;
  /** The online stage (held spans, judgments, delivery, shed work); absent in inline-only mode. */
  readonly online?: ReturnType<OnlineEvaluationStage['stats']>;
}

export interface TracejudgeSetup extends InstrumentationSetup {
  /** The resolved config the processor was built from. */
  readonly config: TracejudgeConfig;
  /** The evaluation processor in front of the downstream BatchSpanProcessor. */
  readonly processor: EvaluationSpanProcessor;
  /** On the SDK's LoggerProvider: hands GenAI content log records to the processor's pipeline. */
  readonly contentLogProcessor: GenAIContentLogProcessor;
  /** Sampler, judge, stage, metrics and the pipeline, when the config has a `sampling` or `judge` section (or an evaluator was given). */
  readonly online?: OnlineStageParts & { readonly pipeline: EvaluationPipeline };
  stats(): SetupStats;
  /** Shuts the SDK down (held spans drained within the deadline, then exported), then the judge and review sinks. */
  shutdown(): Promise<void>;
}

/**
 * The one-call setup of the package root: a NodeSDK whose spans go through
 * the evaluation processor — inline checks on every reply, and with a
 * `sampling`, `judge`, `store` or `review` section the online stage (sampling
 * decision on every turn span, the judge with hold-and-release, the store and
 * review sinks) — to the exporter. Async: the
 * sampler loads WebAssembly and a config path is read. Mistakes in the
 * options or the config throw here, at startup (TracejudgeSetupError,
 * ConfigError), never later in the telemetry path.
 */
export async function setupTracejudge(options: SetupOptions): Promise<TracejudgeSetup> {
  if (typeof options !== 'object' || options === null) throw new TracejudgeSetupError('options', 'an object', options);
  const { config: given, sinks = [], evaluator, online: onlineSetup = {}, ...instrumentation } = options;
  if (!Array.isArray(sinks) || sinks.some((sink) => typeof (sink as ResultSink | null)?.write !== 'function')) {
    throw new TracejudgeSetupError('sinks', 'an array of ResultSink (write)', sinks);
  }
  if (evaluator !== undefined && typeof (evaluator as Evaluator | null)?.evaluate !== 'function') {
    throw new TracejudgeSetupError('evaluator', 'an Evaluator (name, evaluate)', evaluator);
  }
  const { config, sections } = await configOf(given);
  // The store and the review files are sinks of the online stage: a config naming them wants it too,
  // rather than having them silently left out.
  const wantsOnline = evaluator !== undefined || ['sampling', 'judge', 'store', 'review'].some((section) => sections.has(section));

  // The online stage is built first (async: the sampler's WebAssembly hash); the chain below is synchronous.
  let pipeline: EvaluationPipeline | undefined;
  let online: OnlineStageParts | undefined;
  if (wantsOnline) {
    // `sinks` get every result through the stage: check results via its check sinks, judge results
    // (those the stage settles itself included) via its delivery.
    online = await createOnlineStage(config, {
      ...onlineSetup,
      ...(evaluator && { evaluator }),
      resultSinks: [...(onlineSetup.resultSinks ?? []), ...sinks],
      conversationOfTrace: (traceId) => pipeline?.conversationOfTrace(traceId),
    });
  }
  let processor: EvaluationSpanProcessor | undefined;
  let setup: InstrumentationSetup;
  // GenAI content that instrumentations log (the official OpenAI one) reaches the pipeline by span id;
  // the pipeline is built in the span chain below, before any record can be emitted.
  const contentLogs = new GenAIContentLogProcessor({ get pipeline() { return pipeline!; } });
  try {
    setup = setupInstrumentation({
      ...instrumentation,
      readingLogProcessors: [contentLogs, ...(instrumentation.readingLogProcessors ?? [])],
      spanProcessors: (downstream) => {
        // Inline-only mode has no online stage to add the log-event sink (`events.logs`) to its check sinks.
        const checkSinks = online?.checkSinks ?? [...(config.events.logs ? [logEventSink(onlineSetup.loggerProvider)] : []), ...sinks];
        pipeline = new EvaluationPipeline({ ...pipelineOptionsFromConfig(config), sinks: checkSinks });
        processor = new EvaluationSpanProcessor({ downstream, pipeline, stages: online ? [online.stage] : [] });
        return [processor];
      },
    });
  } catch (error) {
    await online?.stage.shutdown();
    await online?.close();
    throw error;
  }
  const evaluation = processor!;
  return {
    ...setup,
    config,
    processor: evaluation,
    contentLogProcessor: contentLogs,
    ...(online && { online: { ...online, pipeline: pipeline! } }),
    stats: () => ({ processor: evaluation.stats(), ...(online && { online: online.stage.stats() }) }),
    async shutdown() {
      await setup.shutdown();
      await online?.close();
    },
  };
}

async function configOf(given: TracejudgeConfigInput | string | undefined): Promise<{ config: TracejudgeConfig; sections: Set<string> }> {
  if (given === undefined || (typeof given === 'object' && given !== null && !Array.isArray(given))) {
    const input = given ?? {};
    return { config: resolveConfig(input), sections: new Set(Object.keys(input)) };
  }
  if (typeof given !== 'string') throw new TracejudgeSetupError('config', 'a config object or the path of a YAML / JSON file', given);
  let text: string;
  try {
    text = await readFile(given, 'utf8');
  } catch (error) {
    throw new ConfigError([{ path: '', message: `cannot read the file: ${(error as Error).message}` }], given);
  }
  const format = extname(given).toLowerCase() === '.json' ? 'json' : 'yaml';
  const config = parseConfig(text, { format, source: given });
  // Parsed once more only for its top-level keys: parseConfig already reported any syntax error.
  const raw = parseYaml(text) as Record<string, unknown> | null;
  return { config, sections: new Set(Object.keys(raw ?? {})) };
}

/** Log-based result events (`events.logs`) beside the span events; failures reported through `diag`. */
function logEventSink(loggerProvider: LoggerProvider | undefined): LogEventSink {
  return new LogEventSink({ ...(loggerProvider && { loggerProvider }), onError: (error, failures) => reportError('tracejudge log events', error, failures) });
}
