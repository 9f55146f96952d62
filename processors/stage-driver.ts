import { ROOT_CONTEXT, diag } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import type { DecodedSpan } from '../src/otlp/index.ts';
import type { ForwardSpan, SpanStage } from './span-stage.ts';

/** Where driven spans go next: the collector's forwarder, or `tracejudge check`'s output lines. */
export interface DrivenSpanSink {
  /** False when it has no room now (the span is retried later). `force` takes it past its bound (a late span). */
  enqueue(spans: ReadableSpan[], options?: { force?: boolean }): boolean;
}

/**
 * Later stages (the online stage: sampling decision, judge hold) driven over decoded spans the
 * way the SDK processor drives them over live ones: `onStart` for every span, `onEnding` while
 * the span is writable, then `onEnd` with a `forward` that may be called now or later (a held
 * span, bounded by the stage's hold deadline), and `attach` for spans a stage creates
 * (evaluation child spans).
 */

/**
 * A decoded span as the `Span` a stage is handed: its SDK view, which takes `setAttribute(s)` and
 * `addEvent` (src/otlp/readable-span.ts) and is what the forwarder serializes. The `Span` methods a
 * finished span has no use for (`end`, `updateName`, …) are absent: a stage calling one fails,
 * is reported, and the span flows on.
 */
function writableSpanOf(span: DecodedSpan): Span {
  return span.toReadableSpan() as unknown as Span;
}

/** Late spans (released from a hold, evaluation child spans) wait here while the forwarding queue is full. */
const LATE_RETRY_MS = 100;

export class StageDriver {
  readonly #stages: readonly SpanStage[];
  readonly #forwarder: DrivenSpanSink;
  readonly #hasRoom: (spans: number) => boolean;
  readonly #late: ReadableSpan[] = [];
  #retry: NodeJS.Timeout | undefined;
  #batch: ReadableSpan[] | undefined;
  #stopping = false;
  errors = 0;

  constructor(stages: readonly SpanStage[], forwarder: DrivenSpanSink, hasRoom: (spans: number) => boolean) {
    this.#stages = stages;
    this.#forwarder = forwarder;
    this.#hasRoom = hasRoom;
    // What stages emit on their own (child spans) goes out through the late lane.
    for (const stage of stages) this.#guard(stage, 'attach', () => stage.attach?.((span) => this.#forwardLate(span)));
  }

  get lateSpans(): number {
    return this.#late.length;
  }

  /** Runs `onStart` / `onEnding` on the batch (already start- and end-ordered by the caller). */
  begin(started: readonly DecodedSpan[]): void {
    for (const span of started) {
      const writable = writableSpanOf(span);
      for (const stage of this.#stages) if (stage.onStart) this.#guard(stage, 'onStart', () => stage.onStart?.(writable, ROOT_CONTEXT));
    }
  }

  /** The span as stages write to it in `onEnding`; hand the same one to the pipeline first (see `ending`). */
  writableOf(span: DecodedSpan): Span {
    return writableSpanOf(span);
  }

  /**
   * Runs `onEnding` on one span, right after the pipeline evaluated it through the same
   * `writable`: as in the SDK, a span's `onEnding` hooks run back to back, so the online stage
   * reads the view the pipeline just made (processors/ending-view.ts) instead of normalizing
   * the span again (measured: ~8% of the collector's CPU when it was the whole batch's turn).
   */
  ending(writable: Span): void {
    for (const stage of this.#stages) if (stage.onEnding) this.#guard(stage, 'onEnding', () => stage.onEnding?.(writable));
  }


  /** Runs the `onEnd` chain; returns the spans forwarded at once (the rest follow through the late lane). */
  end(ended: readonly DecodedSpan[]): ReadableSpan[] {
    const now: ReadableSpan[] = [];
    this.#batch = now;
    try {
      for (const span of ended) this.#chain(0, span.toReadableSpan());
    } finally {
      this.#batch = undefined;
    }
    return now;
  }

  /**
   * At stop, after the stages' shutdown released what they held: the late spans go to the
   * forwarder now, past its queue bound if need be (`force`). They were accepted, and no new
   * traffic is taken any more, so waiting for room would only let a deadline drop them. From
   * here on, late spans are handed over the same way.
   */
  flushLate(): void {
    this.#stopping = true;
    this.#offerLate();
  }

  #chain(index: number, span: ReadableSpan): void {
    const stage = this.#stages[index];
    if (stage === undefined) return this.#forward(span);
    if (!stage.onEnd) return this.#chain(index + 1, span);
    let forwarded = false;
    const forward: ForwardSpan = (held) => {
      if (forwarded) return;
      forwarded = true;
      this.#chain(index + 1, held);
    };
    try {
      stage.onEnd(span, forward);
    } catch (error) {
      this.#report(stage, 'onEnd', error);
      forward(span);
    }
  }

  /** Forwarded during `end`: joins this request's batch; forwarded later: the late lane. */
  #forward(span: ReadableSpan): void {
    if (this.#batch) this.#batch.push(span);
    else this.#forwardLate(span);
  }

  #forwardLate(span: ReadableSpan): void {
    this.#late.push(span);
    this.#offerLate();
  }

  #offerLate(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.#late.length === 0) return;
    // Spans already accepted are never refused for good: while running they wait for room
    // (new requests get 429 meanwhile); at stop they are taken past the bound.
    const handedOver = this.#stopping
      ? this.#forwarder.enqueue([...this.#late], { force: true })
      : this.#hasRoom(this.#late.length) && this.#forwarder.enqueue([...this.#late]);
    if (handedOver) this.#late.length = 0;
    else if (this.#stopping) {
      // Only after the forwarder's own shutdown began (counted there as `shutdown`).
      diag.error(`tracejudge collect: ${this.#late.length} spans released after the forwarder stopped could not be forwarded`);
      this.#late.length = 0;
    } else {
      this.#retry = setTimeout(() => this.#offerLate(), LATE_RETRY_MS);
      this.#retry.unref();
    }
  }

  #guard(stage: SpanStage, hook: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#report(stage, hook, error);
    }
  }

  #report(stage: SpanStage, hook: string, error: unknown): void {
    this.errors++;
    diag.error(`tracejudge collect: stage ${stage.name}.${hook} failed; the span flows on`, error);
  }
}
