/**
 * The forwarder's bounded queue: batches waiting for an export slot, plus the accounting of
 * every span the forwarder holds (open batch, waiting, in flight and retrying), bounded by span
 * count and approximate bytes.
 *
 * When full, the NEWEST spans are refused (`admit` → false), never the oldest dropped:
 * - the oldest were acknowledged with 200 to their sender, who forgot them; dropping them would
 *   lose data its sender believes delivered. The newest are still held by their sender, and the
 *   receiver's 429/503 makes an OTLP client retry them later (spec, "OTLP/HTTP Throttling"), so a
 *   refusal is back-pressure, usually not a loss;
 * - a batch already on disk (persistence) must not vanish because memory is tight.
 * Refusals are still counted as dropped (`queue_full`): this process did not take those spans.
 */

export interface QueueLimits {
  readonly maxSpans: number;
  readonly maxBytes: number;
}

export interface QueuedBatch<P> {
  readonly spanCount: number;
  readonly bytes: number;
  readonly payload: P;
}

export class RetryQueue<P> {
  private readonly limits: QueueLimits;
  private items: QueuedBatch<P>[] = [];
  private head = 0;
  private spans = 0;
  private byteCount = 0;

  constructor(limits: QueueLimits) {
    this.limits = limits;
  }

  /** Takes responsibility for `spanCount` spans, unless that would pass a bound. */
  admit(spanCount: number, bytes: number): boolean {
    if (this.spans + spanCount > this.limits.maxSpans || this.byteCount + bytes > this.limits.maxBytes) return false;
    this.hold(spanCount, bytes);
    return true;
  }

  /** Takes responsibility regardless of the bounds: spans already accepted (read back from disk). */
  hold(spanCount: number, bytes: number): void {
    this.spans += spanCount;
    this.byteCount += bytes;
  }

  /** Gives up responsibility: forwarded or dropped. */
  release(spanCount: number, bytes: number): void {
    this.spans -= spanCount;
    this.byteCount -= bytes;
  }

  /** Corrects a held batch's byte estimate once its exact size is known (serialized). */
  resize(fromBytes: number, toBytes: number): void {
    this.byteCount += toBytes - fromBytes;
  }

  /** Appends an already held batch to wait for an export slot. */
  push(batch: QueuedBatch<P>): void {
    this.items.push(batch);
  }

  /** The oldest waiting batch (FIFO: export order follows arrival order). */
  shift(): QueuedBatch<P> | undefined {
    if (this.head >= this.items.length) return undefined;
    const batch = this.items[this.head];
    this.items[this.head++] = undefined as unknown as QueuedBatch<P>;
    // Compact now and then instead of Array#shift's O(n) per call on a long queue.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  /** Removes every waiting batch (shutdown); they stay held until released. */
  takeAll(): QueuedBatch<P>[] {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }

  get waiting(): number {
    return this.items.length - this.head;
  }

  get heldSpans(): number {
    return this.spans;
  }

  get heldBytes(): number {
    return this.byteCount;
  }
}
