import type { Evaluator, JudgeTarget } from '../../src/judge/evaluator.ts';
import type { EvaluationResult } from '../../src/model/evaluation-result.ts';
import { reportError } from '../report-error.ts';

export interface JudgeRunnerOptions {
  /** Judgments started and not answered; beyond it new work is shed (counted), spans flow on. */
  readonly maxInFlight: number;
  /** A judgment not answered by then is settled as `judge_timeout` (user evaluators may not bound themselves). */
  readonly timeoutMs: number;
}

/** Called exactly once per started judgment, with its results or error results. */
export type DeliverResults = (results: readonly EvaluationResult[]) => void;

interface Job {
  readonly controller: AbortController;
  readonly names: readonly string[];
  readonly deliver: DeliverResults;
  readonly timer: ReturnType<typeof setTimeout>;
  settled: boolean;
  readonly done: Promise<void>;
}

/**
 * Runs evaluators off the span path with a bound on work in flight. Every
 * judgment settles exactly once: answered, failed, timed out, or cut short by
 * a drain deadline (then `judge_timeout`, and a late answer is only counted).
 */
export class JudgeRunner {
  readonly #evaluator: Evaluator;
  readonly #options: JudgeRunnerOptions;
  readonly #jobs = new Set<Job>();
  started = 0;
  lateAnswers = 0;
  deliveryErrors = 0;

  constructor(evaluator: Evaluator, options: JudgeRunnerOptions) {
    this.#evaluator = evaluator;
    this.#options = options;
  }

  get inFlight(): number {
    return this.#jobs.size;
  }

  /** The result names a judgment of `target` will have (rubric names for the LLM judge). */
  resultNames(target: JudgeTarget): string[] {
    const withRubrics = this.#evaluator as Evaluator & { rubricsFor?: (target: JudgeTarget) => readonly { name: string }[] };
    try {
      const names = withRubrics.rubricsFor?.(target).map((rubric) => rubric.name);
      if (names && names.length > 0) return names;
    } catch {
      // fall back to the evaluator's own name
    }
    return [this.#evaluator.name];
  }

  /** Starts a judgment; false (nothing started, `deliver` not called) when the in-flight bound is reached. */
  run(target: JudgeTarget, deliver: DeliverResults): boolean {
    if (this.#jobs.size >= this.#options.maxInFlight) return false;
    this.started++;
    const controller = new AbortController();
    const names = this.resultNames(target);
    let resolveDone: () => void = () => {};
    const job: Job = {
      controller,
      names,
      deliver,
      settled: false,
      timer: setTimeout(() => this.#settle(job, failure(names, 'judge_timeout', `no answer within ${this.#options.timeoutMs}ms`)), this.#options.timeoutMs),
      done: new Promise<void>((resolve) => (resolveDone = resolve)),
    };
    job.timer.unref();
    this.#jobs.add(job);
    void this.#evaluate(target, job).finally(resolveDone);
    return true;
  }

  /**
   * Waits for the judgments in flight, at most `deadlineMs`; those still
   * running then are settled as `judge_timeout` and aborted.
   */
  async drain(deadlineMs: number): Promise<void> {
    if (this.#jobs.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadlineMs))));
    await Promise.race([Promise.all([...this.#jobs].map((job) => job.done)), deadline]);
    clearTimeout(timer);
    for (const job of [...this.#jobs]) {
      this.#settle(job, failure(job.names, 'judge_timeout', `not answered before the ${deadlineMs}ms drain deadline (shutdown or flush)`));
    }
  }

  async #evaluate(target: JudgeTarget, job: Job): Promise<void> {
    let results: readonly EvaluationResult[];
    try {
      results = await this.#evaluator.evaluate(target, job.controller.signal);
      if (!Array.isArray(results)) throw new TypeError(`evaluator ${this.#evaluator.name} resolved with ${typeof results}, expected an array of results`);
      // Delivery reads every result (error, details, name): a null in the list would throw there, off the span path.
      const bad = results.findIndex((result: unknown) => typeof result !== 'object' || result === null || typeof (result as EvaluationResult).name !== 'string');
      if (bad !== -1) throw new TypeError(`evaluator ${this.#evaluator.name} resolved with results[${bad}] = ${describe(results[bad])}, expected a result object with a name`);
    } catch (error) {
      // The Evaluator contract says never reject; a user-written one might.
      results = failure(job.names, 'judge_failed', error instanceof Error ? error.message : String(error));
    }
    if (job.settled) this.lateAnswers++;
    else this.#settle(job, results);
  }

  #settle(job: Job, results: readonly EvaluationResult[]): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    this.#jobs.delete(job);
    job.controller.abort(new Error('judgment settled'));
    try {
      job.deliver(results);
    } catch (error) {
      // Runs from a timer or a promise callback: a throw here would crash the process (unhandled rejection).
      reportError('tracejudge judge delivery', error, ++this.deliveryErrors);
    }
  }
}

export function failure(names: readonly string[], type: string, message: string): EvaluationResult[] {
  return names.map((name) => ({ name, source: 'judge', error: { type, message } }));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object without a string "name"' : `${typeof value} ${String(value).slice(0, 40)}`;
}
