import type { ReadableSpan } from '@opentelemetry/sdk-trace';

export interface SpanBatch {
  readonly spans: ReadableSpan[];
  /** This batch's share of the byte estimate admitted with its spans. */
  readonly bytes: number;
}

/**
 * The open batch: spans from several `enqueue` calls coalesced into export batches of at most
 * `maxSpans` (the receiver's requests are often small; upstreams prefer fewer, larger ones).
 */
export class SpanBatcher {
  private readonly maxSpans: number;
  private spans: ReadableSpan[] = [];
  private bytes = 0;

  constructor(maxSpans: number) {
    this.maxSpans = maxSpans;
  }

  get size(): number {
    return this.spans.length;
  }

  /** Adds spans; returns the batches that are now full. */
  add(spans: readonly ReadableSpan[], bytes: number): SpanBatch[] {
    for (const span of spans) this.spans.push(span);
    this.bytes += bytes;
    const full: SpanBatch[] = [];
    while (this.spans.length >= this.maxSpans) full.push(this.take(this.maxSpans));
    return full;
  }

  /** The partial batch, if any (its delay passed, or a flush). */
  drain(): SpanBatch | undefined {
    return this.spans.length > 0 ? this.take(this.spans.length) : undefined;
  }

  private take(count: number): SpanBatch {
    const all = this.spans.length === count;
    const spans = all ? this.spans : this.spans.slice(0, count);
    this.spans = all ? [] : this.spans.slice(count);
    // The estimate is split in proportion; the last piece takes the rest, so the bytes held
    // against the queue bound are released exactly.
    const bytes = all ? this.bytes : Math.round((this.bytes * count) / (count + this.spans.length));
    this.bytes -= bytes;
    return { spans, bytes };
  }
}
