/**
 * Which sealed batches are still unsettled, by sequence number, so a flush waits for what was
 * enqueued before it and not for traffic that keeps arriving after.
 */
export class FlushTracker {
  private nextSeq = 0;
  // A Map iterates in insertion order and seqs are inserted ascending: the first is the oldest.
  // Each seq keeps when its batch was accepted: the age of the oldest is the queue's age.
  private readonly unsettled = new Map<number, number>();
  private waiters: { upTo: number; done: () => void }[] = [];

  open(acceptedAtMs = Date.now()): number {
    const seq = this.nextSeq++;
    this.unsettled.set(seq, acceptedAtMs);
    return seq;
  }

  /** When the oldest batch not yet settled was accepted; undefined when none waits. */
  oldestAcceptedAt(): number | undefined {
    for (const acceptedAt of this.unsettled.values()) return acceptedAt;
    return undefined;
  }

  settle(seq: number): void {
    this.unsettled.delete(seq);
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((waiter) => !this.pendingUpTo(waiter.upTo));
    this.waiters = this.waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.done();
  }

  /** Resolves true when every batch opened so far is settled, false at the deadline. */
  waitForAll(timeoutMs: number): Promise<boolean> {
    const upTo = this.nextSeq - 1;
    if (!this.pendingUpTo(upTo)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== entry);
        resolve(false);
      }, timeoutMs);
      const entry = {
        upTo,
        done: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.waiters.push(entry);
    });
  }

  private pendingUpTo(upTo: number): boolean {
    for (const seq of this.unsettled.keys()) return seq <= upTo;
    return false;
  }
}
