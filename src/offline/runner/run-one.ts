import { context as otelContext } from '@opentelemetry/api';
import type { EvaluationResult } from '../../model/evaluation-result.ts';
import type { Evaluator, PriceTable } from '../../judge/index.ts';
import { judgeTarget } from '../judging/judge-target.ts';
import type { StoredResult, StoredRun } from '../../store/experiments-store.ts';
import type { AgentContext, AgentOutput, OfflineAgent } from '../agent.ts';
import { normalizeOutput } from '../agent.ts';
import { startConversation } from '../../../instrumentation/index.ts';
import type { DatasetRow } from '../dataset/index.ts';
import type { ReferenceEvaluator, RunCase } from '../evaluators/index.ts';
import { RUN_CONTEXT_KEY } from '../run-trace.ts';
import type { RunTrace } from '../run-trace.ts';
import type { OfflineTracing } from './offline-tracing.ts';

export class RunTimeoutError extends Error {
  override readonly name = 'RunTimeoutError';
}

export interface RunOneOptions {
  readonly agent: OfflineAgent;
  readonly tracing: OfflineTracing;
  readonly evaluators: readonly ReferenceEvaluator[];
  /** Judged on the run's conversation (src/offline/judging/judge-target.ts). */
  readonly judges?: readonly Evaluator[];
  readonly timeoutMs: number;
  readonly experiment: string;
  readonly prices: PriceTable;
  /** Milliseconds clock (performance.now by default): latency is measured, never read inside evaluators. */
  readonly clock: () => number;
}

/** Deterministic check results of a run, one per check: a check passes the row only if it passed every turn. */
function aggregateChecks(trace: RunTrace): StoredResult[] {
  const byName = new Map<string, StoredResult>();
  for (const check of trace.checks) {
    const before = byName.get(check.name);
    const score = Math.min(before?.score ?? 1, check.score ?? (check.error ? 0 : 1));
    const failed = before?.label === 'fail' || check.label === 'fail';
    const explanation = [before?.explanation, check.label === 'fail' ? check.explanation : undefined].filter(Boolean).join(' | ');
    byName.set(check.name, {
      evaluator: check.name,
      score,
      label: failed ? 'fail' : 'pass',
      ...(explanation ? { explanation } : {}),
      ...(check.error || before?.error ? { error: check.error ?? before?.error } : {}),
    });
  }
  return [...byName.values()];
}

function stored(result: EvaluationResult): StoredResult {
  return {
    evaluator: result.name,
    ...(result.score !== undefined ? { score: result.score } : {}),
    ...(result.label !== undefined ? { label: result.label } : {}),
    ...(result.explanation !== undefined ? { explanation: result.explanation } : {}),
    ...(result.error ? { error: `${result.error.type}: ${result.error.message}` } : {}),
    ...(typeof result.details?.['judge.cost_usd'] === 'number' ? { costUsd: result.details['judge.cost_usd'] } : {}),
  };
}

/** Each evaluator in turn; one that throws becomes an `evaluator_failed` result and the others still run. */
async function runEvaluators<E extends { readonly name: string }>(evaluators: readonly E[], evaluate: (evaluator: E) => EvaluationResult[] | Promise<EvaluationResult[]>): Promise<StoredResult[]> {
  const results: StoredResult[] = [];
  for (const evaluator of evaluators) {
    try {
      for (const result of await evaluate(evaluator)) results.push(stored(result));
    } catch (caught) {
      results.push({ evaluator: evaluator.name, error: `evaluator_failed: ${(caught as Error).message}` });
    }
  }
  return results;
}

function costOf(trace: RunTrace, prices: PriceTable): number | undefined {
  if (trace.inputTokens + trace.outputTokens === 0) return undefined;
  for (const model of trace.models) {
    const key = Object.keys(prices).filter((name) => model.startsWith(name)).sort((a, b) => b.length - a.length)[0];
    if (key) return (trace.inputTokens * prices[key].input + trace.outputTokens * prices[key].output) / 1e6;
  }
  return undefined;
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number, controller: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new RunTimeoutError(`agent did not answer within ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs one (row, repetition): the agent under a timeout, then every evaluator.
 * An agent that throws, hangs or returns garbage makes an error run (with a
 * failing `run.ok`), never an exception: the experiment goes on.
 */
export async function runOne(row: DatasetRow, repetition: number, options: RunOneOptions, outer: AbortSignal): Promise<StoredRun & { info?: Record<string, unknown> }> {
  const conversationId = `${options.experiment}/${row.id}/${repetition}`;
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(outer.reason);
  outer.addEventListener('abort', onOuterAbort, { once: true });
  const context: AgentContext = {
    row,
    repetition,
    signal: controller.signal,
    conversationId,
    startConversation: (conversationOptions = {}) =>
      startConversation({ cohort: { ...row.tags }, ...conversationOptions, id: conversationId, tracerProvider: options.tracing.tracerProvider }),
  };
  const collector = options.tracing.collector;
  collector.begin(conversationId);
  // Spans the agent starts in this call belong to this run, conversation id or not.
  const runContext = otelContext.active().setValue(RUN_CONTEXT_KEY, conversationId);
  const started = options.clock();
  let output: AgentOutput | undefined;
  let error: string | undefined;
  try {
    const answer = otelContext.with(runContext, () => Promise.resolve().then(() => options.agent(row.input, context)));
    output = normalizeOutput(await withTimeout(answer, options.timeoutMs, controller));
  } catch (caught) {
    error = caught instanceof Error ? `${caught.name}: ${caught.message}` : `agent threw ${String(caught)}`;
  } finally {
    outer.removeEventListener('abort', onOuterAbort);
  }
  const latencyMs = options.clock() - started;
  // Taken whatever happened: a run's spans are never held past the run (spans ending later are not kept).
  const trace = collector.take(conversationId);
  const results: StoredResult[] = [{ evaluator: 'run.ok', score: error ? 0 : 1, label: error ? 'fail' : 'pass', ...(error ? { explanation: error } : {}) }];
  if (output) {
    results.push(...aggregateChecks(trace));
    const run: RunCase = {
      row,
      output,
      toolCalls: output.toolCalls ?? trace.toolCalls,
      outcomes: output.outcome !== undefined ? new Set(output.outcome === 'none' ? [] : [output.outcome]) : trace.outcomes,
      trace,
    };
    // Reference evaluators and judges at once: both may wait on a model.
    const [references, judged] = await Promise.all([
      runEvaluators(options.evaluators, (evaluator) => evaluator.evaluate(run, controller.signal)),
      runEvaluators(options.judges ?? [], (judge) => judge.evaluate(judgeTarget(run, conversationId), controller.signal)),
    ]);
    results.push(...references, ...judged);
  }
  const cost = costOf(trace, options.prices);
  const info: Record<string, unknown> = { ...output?.metadata };
  if (trace.models.size > 0) info.models = [...trace.models].sort();
  if (trace.agentVersion) info.agentVersion = trace.agentVersion;
  return {
    rowId: row.id,
    repetition,
    tags: row.tags,
    ...(output ? { reply: output.reply } : {}),
    ...(error ? { error } : {}),
    latencyMs,
    ...(cost !== undefined ? { costUsd: cost } : {}),
    results,
    info,
  };
}
