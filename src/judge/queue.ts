export interface JudgeQueueOptions {
  /** Tasks running at once (judge calls in flight). */
  readonly concurrency: number;
  /** Tasks waiting for a slot; beyond it new work is shed. */
  readonly maxQueued: number;
}

export type Admission<T> =
  | { readonly accepted: true; readonly result: Promise<T> }
  | { readonly accepted: false; readonly reason: 'queue_full' | 'closed' };

export interface JudgeQueueStats {
  readonly running: number;
  readonly queued: number;
  readonly completed: number;
  /** Offered while full (or closed) and refused: judge work shed, never spans (DESIGN.md). */
  readonly shed: number;
  /** Left the queue before starting because their signal aborted (deadline passed). */
  readonly cancelled: number;
}

interface Waiting {
  readonly run: () => void;
  readonly cancel: (reason: unknown) => void;
}

/**
 * A concurrency limit with a bounded wait list. `offer` never blocks and never
 * grows memory past `maxQueued`: when the list is full the work is refused at
 * once and counted, and the caller records a `judge_queue_full` result. A
 * waiting task whose signal aborts leaves the list (its promise rejects with
 * the signal's reason), so a deadline holds even for work that never started.
 */
export class JudgeQueue {
  readonly #options: JudgeQueueOptions;
  readonly #waiting = new Set<Waiting>();
  #running = 0;
  #completed = 0;
  #shed = 0;
  #cancelled = 0;
  #closed = false;
  #idle: Array<() => void> = [];

  constructor(options: JudgeQueueOptions) {
    this.#options = options;
  }

  offer<T>(task: () => Promise<T>, signal?: AbortSignal): Admission<T> {
    if (this.#closed) {
      this.#shed++;
      return { accepted: false, reason: 'closed' };
    }
    if (this.#running < this.#options.concurrency && this.#waiting.size === 0) {
      return { accepted: true, result: this.#start(task) };
    }
    if (this.#waiting.size >= this.#options.maxQueued) {
      this.#shed++;
      return { accepted: false, reason: 'queue_full' };
    }
    const result = new Promise<T>((resolve, reject) => {
      const onAbort = (): void => entry.cancel(signal?.reason);
      const entry: Waiting = {
        run: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#start(task).then(resolve, reject);
        },
        cancel: (reason) => {
          signal?.removeEventListener('abort', onAbort);
          if (!this.#waiting.delete(entry)) return;
          this.#cancelled++;
          reject(reason);
          this.#notifyIdle();
        },
      };
      this.#waiting.add(entry);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    return { accepted: true, result };
  }

  stats(): JudgeQueueStats {
    return { running: this.#running, queued: this.#waiting.size, completed: this.#completed, shed: this.#shed, cancelled: this.#cancelled };
  }

  /** Resolves when nothing runs or waits (for flush and shutdown). */
  idle(): Promise<void> {
    if (this.#running === 0 && this.#waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Refuses new work and cancels waiting work; running tasks finish. */
  close(reason: unknown = new Error('the judge queue is closed')): void {
    this.#closed = true;
    for (const entry of [...this.#waiting]) entry.cancel(reason);
  }

  #start<T>(task: () => Promise<T>): Promise<T> {
    this.#running++;
    let result: Promise<T>;
    try {
      result = task();
    } catch (error) {
      result = Promise.reject(error);
    }
    return result.finally(() => {
      this.#running--;
      this.#completed++;
      this.#next();
    });
  }

  #next(): void {
    const first = this.#waiting.values().next();
    if (!first.done && this.#running < this.#options.concurrency) {
      this.#waiting.delete(first.value);
      first.value.run();
    }
    this.#notifyIdle();
  }

  #notifyIdle(): void {
    if (this.#running !== 0 || this.#waiting.size !== 0) return;
    const waiters = this.#idle;
    this.#idle = [];
    for (const resolve of waiters) resolve();
  }
}
