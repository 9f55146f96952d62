import { DEFAULT_PRICES } from '../../judge/index.ts';
import type { Evaluator, PriceTable } from '../../judge/index.ts';
import type { ExperimentsStore } from '../../store/experiments-store.ts';
import type { EvaluationPipelineOptions } from '../../../processors/index.ts';
import type { OfflineAgent } from '../agent.ts';
import type { Dataset } from '../dataset/index.ts';
import { builtinReferenceEvaluators } from '../evaluators/index.ts';
import type { ReferenceEvaluator } from '../evaluators/index.ts';
import { startOfflineTracing } from './offline-tracing.ts';
import { BatchedRunWriter } from './batched-run-writer.ts';
import { runOne } from './run-one.ts';

export class ExperimentError extends Error {
  override readonly name = 'ExperimentError';
}

export interface RunProgress {
  readonly done: number;
  readonly total: number;
  readonly errors: number;
  readonly skipped: number;
}

export interface RunExperimentOptions {
  readonly agent: OfflineAgent;
  /** Recorded as provenance: the module path given to `--agent`. */
  readonly agentModule: string;
  readonly dataset: Dataset;
  readonly experiment: string;
  readonly store: ExperimentsStore;
  readonly repetitions?: number;
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  /** Continue a stored experiment: only runs not yet stored are made. */
  readonly resume?: boolean;
  readonly evaluators?: readonly ReferenceEvaluator[];
  /** Evaluators of the whole conversation (the LLM judge's rubrics): run on every run, no sampling offline. */
  readonly judges?: readonly Evaluator[];
  readonly pipeline?: EvaluationPipelineOptions;
  readonly prices?: PriceTable;
  readonly gitCommit?: string;
  /** Aborting stops scheduling and drops runs in flight; finished runs stay stored. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
  readonly now?: () => Date;
  readonly clock?: () => number;
}

export interface RunSummary {
  readonly experiment: string;
  readonly status: 'finished' | 'interrupted';
  readonly ran: number;
  readonly errors: number;
  /** Runs already stored (resume). */
  readonly skipped: number;
  readonly total: number;
}

function checkPositive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new ExperimentError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Runs every dataset row `repetitions` times through the agent, at most
 * `concurrency` at once, each run stored as soon as it is evaluated — so an
 * interrupt keeps everything finished, and `resume` picks up the rest.
 */
export async function runExperiment(options: RunExperimentOptions): Promise<RunSummary> {
  const { dataset, store, experiment } = options;
  const repetitions = checkPositive('--repetitions', options.repetitions ?? 1);
  const concurrency = checkPositive('--concurrency', options.concurrency ?? 4);
  const timeoutMs = checkPositive('--timeout', options.timeoutMs ?? 60_000);
  const now = options.now ?? (() => new Date());
  const existing = store.getExperiment(experiment);
  if (existing && !options.resume) {
    throw new ExperimentError(`experiment "${experiment}" already exists (${existing.status}); choose another name or pass --resume`);
  }
  if (existing && (existing.datasetName !== dataset.name || existing.datasetVersion !== dataset.version)) {
    throw new ExperimentError(
      `cannot resume "${experiment}": it ran on dataset ${existing.datasetName}@${existing.datasetVersion}, this is ${dataset.name}@${dataset.version}`,
    );
  }
  if (existing && existing.repetitions !== repetitions) {
    throw new ExperimentError(`cannot resume "${experiment}" with --repetitions ${repetitions}: it was started with ${existing.repetitions}`);
  }
  if (!existing) {
    store.createExperiment({
      name: experiment,
      datasetName: dataset.name,
      datasetVersion: dataset.version,
      repetitions,
      agentModule: options.agentModule,
      ...(options.gitCommit ? { gitCommit: options.gitCommit } : {}),
      agentInfo: {},
      status: 'running',
      createdAt: now().toISOString(),
    });
  } else {
    store.updateExperiment(experiment, { status: 'running' });
  }

  const done = store.doneRuns(experiment);
  const queue: { row: (typeof dataset.rows)[number]; repetition: number }[] = [];
  for (let repetition = 0; repetition < repetitions; repetition++) {
    for (const row of dataset.rows) if (!done.has(`${row.id}#${repetition}`)) queue.push({ row, repetition });
  }
  const total = dataset.rows.length * repetitions;
  const skipped = total - queue.length;
  const signal = options.signal ?? new AbortController().signal;
  const judges = options.judges ?? [];
  const tracing = startOfflineTracing(options.pipeline, process.env, { transcripts: judges.length > 0 });
  const runOptions = {
    agent: options.agent,
    tracing,
    evaluators: options.evaluators ?? builtinReferenceEvaluators,
    judges,
    timeoutMs,
    experiment,
    prices: options.prices ?? DEFAULT_PRICES,
    clock: options.clock ?? (() => performance.now()),
  };
  let ran = 0;
  let errors = 0;
  let agentInfo: Record<string, unknown> = {};
  options.onProgress?.({ done: skipped, total, errors, skipped });

  const writer = new BatchedRunWriter(store, experiment);
  let next = 0;
  async function worker(): Promise<void> {
    while (!signal.aborted && next < queue.length) {
      const { row, repetition } = queue[next++];
      const { info, ...run } = await runOne(row, repetition, runOptions, signal);
      // A run cut short by the interrupt is not a result: resume makes it again.
      if (signal.aborted) return;
      writer.add(run);
      agentInfo = { ...agentInfo, ...info };
      ran++;
      if (run.error) errors++;
      options.onProgress?.({ done: skipped + ran, total, errors, skipped });
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(queue.length, 1)) }, worker));
  } finally {
    // Everything finished is stored, also on an interrupt (Ctrl-C keeps what finished).
    writer.flush();
    await tracing.close();
  }
  const status = signal.aborted ? 'interrupted' : 'finished';
  store.updateExperiment(experiment, { status, agentInfo, ...(status === 'finished' ? { finishedAt: now().toISOString() } : {}) });
  return { experiment, status, ran, errors, skipped, total };
}
