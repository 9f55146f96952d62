import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ForwardSpan } from '../span-stage.ts';

export interface HoldLimits {
  /** How long a span's export may wait for its judge results (`judge.holdMs`). */
  readonly holdMs: number;
  /** Spans held at once; beyond it a span is forwarded at once (its results go on a child span). */
  readonly maxSpans: number;
  /** Estimated bytes held at once; same rule. */
  readonly maxBytes: number;
}

export const DEFAULT_HOLD_LIMITS: HoldLimits = { holdMs: 30_000, maxSpans: 10_000, maxBytes: 64 * 1024 * 1024 };

interface Held {
  readonly span: ReadableSpan;
  readonly forward: ForwardSpan;
  readonly bytes: number;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Spans whose export waits for their judge results (DESIGN.md "Where judge
 * results land"). Bounded in count, bytes and time: a span is never held past
 * `holdMs`, and when the queue is full a span is not held at all. Nothing here
 * drops a span; every path ends in `forward`.
 */
export class HoldQueue {
  readonly limits: HoldLimits;
  readonly #held = new Map<string, Held>();
  readonly #onExpire: (spanId: string) => void;
  #bytes = 0;
  released = 0;
  expired = 0;
  refused = 0;

  /** `onExpire` runs when a span is released by its deadline (its results will need a child span). */
  constructor(limits: Partial<HoldLimits> = {}, onExpire: (spanId: string) => void = () => {}) {
    this.limits = { ...DEFAULT_HOLD_LIMITS, ...limits };
    this.#onExpire = onExpire;
  }

  get size(): number {
    return this.#held.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  has(spanId: string): boolean {
    return this.#held.has(spanId);
  }

  /** Holds the span, or forwards it now and returns false when the queue is full. */
  hold(spanId: string, span: ReadableSpan, forward: ForwardSpan, bytes: number): boolean {
    const { maxSpans, maxBytes, holdMs } = this.limits;
    if (this.#held.has(spanId) || holdMs <= 0 || this.#held.size >= maxSpans || this.#bytes + bytes > maxBytes) {
      this.refused++;
      forward(span);
      return false;
    }
    const timer = setTimeout(() => {
      if (this.release(spanId)) {
        this.expired++;
        this.#onExpire(spanId);
      }
    }, holdMs);
    timer.unref();
    this.#held.set(spanId, { span, forward, bytes, timer });
    this.#bytes += bytes;
    return true;
  }

  /** The held span, taken out of the queue (to add events, then `forward` it); undefined if not held. */
  take(spanId: string): { span: ReadableSpan; forward: ForwardSpan } | undefined {
    const held = this.#held.get(spanId);
    if (!held) return undefined;
    clearTimeout(held.timer);
    this.#held.delete(spanId);
    this.#bytes -= held.bytes;
    return held;
  }

  /** Forwards the span now, unchanged. */
  release(spanId: string): boolean {
    const held = this.take(spanId);
    if (!held) return false;
    this.released++;
    held.forward(held.span);
    return true;
  }

  releaseAll(): number {
    let count = 0;
    for (const spanId of [...this.#held.keys()]) if (this.release(spanId)) count++;
    return count;
  }
}
