import type { BreakerVerdict } from './failure.ts';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one probe request may try. */
  readonly coolDownMs: number;
}

/** Leave to send one request; hand it back with the call's verdict. */
export interface CircuitPermit {
  readonly probe: boolean;
  readonly generation: number;
}

/**
 * Stops hammering a dead judge: after `failureThreshold` consecutive failures
 * the circuit opens and calls fail at once without a request; after the
 * cool-down one probe goes through (half-open): success closes the circuit,
 * failure opens it for another cool-down. A 429's Retry-After, when longer,
 * extends the open period. Time is passed in (`now`, in ms), so it is a pure
 * state machine. A verdict from a permit of an earlier state (a call started
 * before the circuit opened) is ignored: it says nothing about the judge now.
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  #state: 'closed' | 'open' = 'closed';
  #generation = 0;
  #consecutiveFailures = 0;
  #openUntil = 0;
  #probeInFlight = false;
  #opened = 0;
  #rejected = 0;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
  }

  state(now: number): CircuitState {
    if (this.#state === 'closed') return 'closed';
    return now >= this.#openUntil ? 'half_open' : 'open';
  }

  /** A permit when a request may go now; undefined (counted as rejected) otherwise. */
  tryAcquire(now: number): CircuitPermit | undefined {
    const state = this.state(now);
    if (state === 'closed') return { probe: false, generation: this.#generation };
    if (state === 'half_open' && !this.#probeInFlight) {
      this.#probeInFlight = true;
      return { probe: true, generation: this.#generation };
    }
    this.#rejected++;
    return undefined;
  }

  release(permit: CircuitPermit, verdict: BreakerVerdict, now: number, retryAfterMs = 0): void {
    if (permit.generation !== this.#generation) return;
    if (permit.probe) this.#probeInFlight = false;
    if (verdict === 'success') {
      if (this.#state === 'open') this.#transition('closed', now);
      this.#consecutiveFailures = 0;
    } else if (verdict === 'failure') {
      this.#consecutiveFailures++;
      if (permit.probe || this.#consecutiveFailures >= this.#options.failureThreshold) {
        this.#transition('open', now, Math.max(this.#options.coolDownMs, retryAfterMs));
      }
    }
  }

  stats(now: number): { state: CircuitState; consecutiveFailures: number; timesOpened: number; rejected: number } {
    return { state: this.state(now), consecutiveFailures: this.#consecutiveFailures, timesOpened: this.#opened, rejected: this.#rejected };
  }

  #transition(to: 'closed' | 'open', now: number, openForMs = 0): void {
    this.#state = to;
    this.#generation++;
    this.#probeInFlight = false;
    if (to === 'open') {
      this.#opened++;
      this.#openUntil = now + openForMs;
    } else {
      this.#consecutiveFailures = 0;
    }
  }
}
