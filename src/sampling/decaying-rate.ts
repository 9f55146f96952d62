/**
 * A rate (amount per ms) over roughly the last `windowMs`, as an exponentially
 * decayed sum: O(1) memory, time passed in. The sum is divided by the decay
 * kernel's mass so far (τ · (1 − e^(−t/τ))), which removes the start-up bias of
 * a plain EWMA: the first minutes are not read as a quiet period.
 */
export class DecayingRate {
  readonly #tauMs: number;
  #sum = 0;
  #last: number | undefined;
  #first: number | undefined;

  constructor(windowMs: number) {
    this.#tauMs = windowMs;
  }

  add(amount: number, now: number): void {
    this.#decay(now);
    this.#sum += amount;
  }

  perMs(now: number): number {
    this.#decay(now);
    if (this.#first === undefined) return 0;
    // At least one second of history: a single event is not an infinite rate.
    const age = Math.max(now - this.#first, 1000);
    return this.#sum / (this.#tauMs * (1 - Math.exp(-age / this.#tauMs)));
  }

  #decay(now: number): void {
    if (this.#last === undefined) {
      this.#first = this.#last = now;
      return;
    }
    if (now <= this.#last) return; // out-of-order time: no decay, never growth
    this.#sum *= Math.exp(-(now - this.#last) / this.#tauMs);
    this.#last = now;
  }
}
