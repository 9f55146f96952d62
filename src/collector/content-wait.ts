import { awaitsContentRecords } from '../model/content-records.ts';
import type { DecodedSpan } from '../otlp/index.ts';

export interface ContentWaitOptions {
  /** How long a request waits for the content of its GenAI spans (`join.waitMs`). */
  readonly waitMs: number;
  /** Whether the reply of this span has arrived as log records. */
  readonly hasOutput: (traceId: string, spanId: string) => boolean;
  /** Evaluates and forwards a request's spans (the service's normal path). */
  readonly release: (spans: DecodedSpan[]) => void;
  readonly now?: () => number;
}

export interface ContentWaitStats {
  /** Requests held back for content, spans in them, and spans that were waited for. */
  readonly requestsHeld: number;
  readonly spansHeld: number;
  readonly spansWaitedFor: number;
  /** Waited-for spans released because their content came, because `waitMs` passed, or at stop. */
  readonly releasedWithContent: number;
  readonly releasedAtDeadline: number;
  readonly releasedAtStop: number;
  /** Held now (requests, spans). */
  readonly heldRequests: number;
  readonly heldSpans: number;
  /** How long released requests waited: the slowest, and the 99th percentile of the last 10,000. */
  readonly maxWaitMs: number;
  readonly p99WaitMs: number;
}

interface HeldRequest {
  readonly spans: DecodedSpan[];
  readonly waitingFor: readonly DecodedSpan[];
  readonly sinceMs: number;
  readonly deadlineMs: number;
}

const RECENT_WAITS = 10_000;

/**
 * Requests whose GenAI chat spans carry no content of their own wait here, bounded by `waitMs`,
 * for the log records that carry it (DESIGN.md, "Two signals": logs and spans travel apart, in
 * either order). The sender has its answer already: held spans were accepted. Requests are
 * released in arrival order, so a conversation's turns are evaluated in the order they came (a
 * later turn is grounded by what an earlier one's records said); a request that arrives while
 * others wait queues behind them, and so waits at most `waitMs` too. Memory: the held requests'
 * spans, counted against the forwarding queue's bound by the service.
 */
export class ContentWait {
  readonly #options: ContentWaitOptions;
  readonly #now: () => number;
  readonly #held: HeldRequest[] = [];
  #heldSpans = 0;
  #timer: NodeJS.Timeout | undefined;
  #requestsHeld = 0;
  #spansHeld = 0;
  #spansWaitedFor = 0;
  #withContent = 0;
  #atDeadline = 0;
  #atStop = 0;
  #maxWaitMs = 0;
  readonly #recentWaits: number[] = [];
  #nextWait = 0;

  constructor(options: ContentWaitOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get heldSpans(): number {
    return this.#heldSpans;
  }

  /** Takes a request's spans: holds them (true) when some wait for content or others are held, else leaves them to the caller (false). */
  offer(spans: DecodedSpan[]): boolean {
    if (this.#options.waitMs <= 0) return false;
    const waitingFor = spans.filter((span) => awaitsContentRecords(span) && !this.#options.hasOutput(span.traceId, span.spanId));
    if (waitingFor.length === 0 && this.#held.length === 0) return false;
    const now = this.#now();
    this.#held.push({ spans, waitingFor, sinceMs: now, deadlineMs: now + this.#options.waitMs });
    this.#heldSpans += spans.length;
    this.#requestsHeld++;
    this.#spansHeld += spans.length;
    this.#spansWaitedFor += waitingFor.length;
    this.#schedule();
    return true;
  }

  /** After content arrived: releases, in order, the held requests that have all they waited for (or are due). */
  recheck(): void {
    this.#releaseReady(this.#now());
  }

  /** At stop: everything held is released now, with what it has. */
  releaseAll(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = this.#now();
    while (this.#held.length > 0) this.#release(this.#held.shift()!, now, 'stop');
  }

  stats(): ContentWaitStats {
    const sorted = [...this.#recentWaits].sort((a, b) => a - b);
    return {
      requestsHeld: this.#requestsHeld,
      spansHeld: this.#spansHeld,
      spansWaitedFor: this.#spansWaitedFor,
      releasedWithContent: this.#withContent,
      releasedAtDeadline: this.#atDeadline,
      releasedAtStop: this.#atStop,
      heldRequests: this.#held.length,
      heldSpans: this.#heldSpans,
      maxWaitMs: this.#maxWaitMs,
      p99WaitMs: sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)],
    };
  }

  #releaseReady(now: number): void {
    while (this.#held.length > 0) {
      const head = this.#held[0];
      const ready = head.waitingFor.every((span) => this.#options.hasOutput(span.traceId, span.spanId));
      if (!ready && head.deadlineMs > now) break;
      this.#held.shift();
      this.#release(head, now, ready ? 'content' : 'deadline');
    }
    this.#schedule();
  }

  #release(request: HeldRequest, now: number, why: 'content' | 'deadline' | 'stop'): void {
    this.#heldSpans -= request.spans.length;
    for (const span of request.waitingFor) {
      const arrived = this.#options.hasOutput(span.traceId, span.spanId);
      if (arrived) this.#withContent++;
      else if (why === 'stop') this.#atStop++;
      else this.#atDeadline++;
    }
    const waited = now - request.sinceMs;
    if (waited > this.#maxWaitMs) this.#maxWaitMs = waited;
    if (this.#recentWaits.length < RECENT_WAITS) this.#recentWaits.push(waited);
    else this.#recentWaits[this.#nextWait++ % RECENT_WAITS] = waited;
    this.#options.release(request.spans);
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const head = this.#held[0];
    if (head === undefined) return;
    this.#timer = setTimeout(() => this.#releaseReady(this.#now()), Math.max(0, head.deadlineMs - this.#now()));
    this.#timer.unref();
  }
}
