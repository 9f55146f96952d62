import { appendFile } from 'node:fs/promises';
import type { EvaluationResult } from '../model/evaluation-result.ts';
import type { EvaluationTarget, ResultSink } from './result-sink.ts';

export interface JsonlFileSinkOptions {
  readonly path: string;
  /** Lines waiting for the disk; beyond it new lines are dropped and counted. Default 10 000. */
  readonly maxPendingLines?: number;
  /** Epoch ms clock for the `time` field. */
  readonly now?: () => number;
}

export interface JsonlFileSinkStats {
  readonly written: number;
  readonly dropped: number;
  readonly writeErrors: number;
}

/** One line per result: the result with where it came from, for `jq`, review tools or a dataset import. */
export interface JsonlResultLine {
  readonly time: string;
  readonly conversationId: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly responseId?: string;
  readonly result: EvaluationResult;
}

/**
 * Appends results to a JSON-lines file. Writes are batched and serialized
 * (one append in flight), so the telemetry path never waits on the disk;
 * the pending lines are bounded and what is dropped is counted. A failed
 * append is counted and its lines dropped: the next batch tries again.
 */
export class JsonlFileSink implements ResultSink {
  readonly #path: string;
  readonly #maxPending: number;
  readonly #now: () => number;
  #pending: string[] = [];
  #writing: Promise<void> | undefined;
  #written = 0;
  #dropped = 0;
  #writeErrors = 0;

  constructor(options: JsonlFileSinkOptions) {
    if (typeof options?.path !== 'string' || options.path.trim() === '') {
      throw new TypeError(`JsonlFileSink: "path" must be a file path, got ${JSON.stringify(options?.path)}`);
    }
    this.#path = options.path;
    this.#maxPending = options.maxPendingLines ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  write(results: readonly EvaluationResult[], target: EvaluationTarget): void {
    const time = new Date(this.#now()).toISOString();
    for (const result of results) {
      if (this.#pending.length >= this.#maxPending) {
        this.#dropped++;
        continue;
      }
      const line: JsonlResultLine = {
        time,
        conversationId: target.conversationId,
        traceId: target.traceId,
        spanId: target.spanId,
        ...(target.responseId !== undefined && { responseId: target.responseId }),
        result,
      };
      this.#pending.push(JSON.stringify(line));
    }
    this.#writing ??= this.#drain();
  }

  /** Resolves when every line accepted so far is on disk (or counted as failed). */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  stats(): JsonlFileSinkStats {
    return { written: this.#written, dropped: this.#dropped, writeErrors: this.#writeErrors };
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending;
        this.#pending = [];
        try {
          await appendFile(this.#path, `${batch.join('\n')}\n`, 'utf8');
          this.#written += batch.length;
        } catch {
          this.#writeErrors++;
          this.#dropped += batch.length;
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }
}
