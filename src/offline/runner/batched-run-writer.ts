import type { ExperimentsStore, StoredRun } from '../../store/experiments-store.ts';

/** Runs per transaction, at most. */
export const BATCH_RUNS = 64;
/** A finished run waits at most this long before it is stored. */
export const BATCH_MS = 200;

/**
 * Stores finished runs in batches: one transaction per run was ~0.2 ms of the
 * runner's per-row overhead (bench/offline.ts), as much as a fast agent's
 * whole turn. A batch is written when it is full or BATCH_MS after its first
 * run, so a crash loses at most the last fraction of a second of runs (resume
 * makes them again); `flush` writes the rest at the end or on an interrupt.
 */
export class BatchedRunWriter {
  readonly #store: ExperimentsStore;
  readonly #experiment: string;
  #pending: StoredRun[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** A timed write that failed: raised on the next add or flush, where the runner can report it. */
  #failure: unknown;

  constructor(store: ExperimentsStore, experiment: string) {
    this.#store = store;
    this.#experiment = experiment;
  }

  add(run: StoredRun): void {
    this.#pending.push(run);
    if (this.#pending.length >= BATCH_RUNS || this.#failure !== undefined) this.flush();
    else this.#timer ??= setTimeout(() => this.#timedFlush(), BATCH_MS).unref();
  }

  flush(): void {
    if (this.#failure !== undefined) {
      const failure = this.#failure;
      this.#failure = undefined;
      throw failure;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    try {
      this.#store.saveRuns(this.#experiment, batch);
    } catch (error) {
      // Not written: kept for the next attempt (a locked database may be free by then).
      this.#pending = [...batch, ...this.#pending];
      throw error;
    }
  }

  #timedFlush(): void {
    this.#timer = undefined;
    try {
      this.flush();
    } catch (error) {
      this.#failure = error;
    }
  }
}
