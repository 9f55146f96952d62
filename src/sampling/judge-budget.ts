import { DecayingRate } from './decaying-rate.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Floor of the multiplier: rates stay > 0, so weights (1/rate) stay finite. */
export const MIN_RATE_MULTIPLIER = 1e-6;

export interface JudgeBudgetOptions {
  /** USD per UTC clock hour; null: no ceiling. */
  readonly maxPerHour: number | null;
  /** USD per UTC day; null: no ceiling. */
  readonly maxPerDay: number | null;
  /** Target judge spend / inference spend; null: no target. */
  readonly maxShareOfInference: number | null;
  /** Smoothing window of the demand and inference rates. */
  readonly paceWindowMs: number;
}

/** Budget held for one judge call. Settle it once: commit the actual cost, or release it. */
export interface BudgetReservation {
  readonly estimatedCost: number;
  readonly reservedAt: number;
  /** The UTC hour and day (since the epoch) whose ledgers hold it. */
  readonly hourWindow: number;
  readonly dayWindow: number;
}

export interface BudgetStats {
  readonly multiplier: number;
  readonly spentThisHour: number;
  readonly spentToday: number;
  readonly maxPerHour: number | null;
  readonly maxPerDay: number | null;
  /** Estimates of every reservation granted, committed, released; actual committed; overruns above estimates. */
  readonly reservedTotal: number;
  readonly committedTotal: number;
  readonly releasedTotal: number;
  readonly overrunTotal: number;
  readonly refusedCount: number;
  readonly inferenceTotal: number;
}

interface Ledger {
  index: number;
  /** Committed actuals plus open reservations at their estimate. */
  spent: number;
}

/**
 * Judge spend control. Hard ceilings per UTC hour and day are enforced by
 * `reserve`, the final gate: a reservation is granted only if it fits, so
 * reserved spend never exceeds a ceiling. Softly, `multiplier` paces spend:
 * each ceiling allows its remaining budget over its remaining time, the share
 * target allows share × the inference spend rate, and the multiplier scales the
 * hash-sampled (not the triggered) demand down to the smallest allowance.
 * Multiplying every stratum's rate by one number keeps the subset property.
 */
export class JudgeBudget {
  readonly #options: JudgeBudgetOptions;
  readonly #hour: Ledger = { index: Number.NaN, spent: 0 };
  readonly #day: Ledger = { index: Number.NaN, spent: 0 };
  readonly #scalableDemand: DecayingRate;
  readonly #triggeredDemand: DecayingRate;
  readonly #inference: DecayingRate;
  readonly #settled = new WeakSet<BudgetReservation>();
  #inferenceSeen = false;
  #reservedTotal = 0;
  #committedTotal = 0;
  #releasedTotal = 0;
  #overrunTotal = 0;
  #refusedCount = 0;
  #inferenceTotal = 0;
  #lastMultiplier = 1;

  constructor(options: JudgeBudgetOptions) {
    this.#options = options;
    this.#scalableDemand = new DecayingRate(options.paceWindowMs);
    this.#triggeredDemand = new DecayingRate(options.paceWindowMs);
    this.#inference = new DecayingRate(options.paceWindowMs);
  }

  /** Inference spend of a turn (gen_ai.usage × prices), for the share target. */
  recordInference(usd: number, now: number): void {
    if (!(usd > 0)) return;
    this.#inferenceSeen = true;
    this.#inferenceTotal += usd;
    this.#inference.add(usd, now);
  }

  /**
   * Expected judge spend of a turn before budget scaling: estimate × configured
   * rate for hash-sampled turns (scalable), the estimate for triggered ones (not).
   */
  recordDemand(expectedUsd: number, triggered: boolean, now: number): void {
    if (!(expectedUsd > 0)) return;
    (triggered ? this.#triggeredDemand : this.#scalableDemand).add(expectedUsd, now);
  }

  /** In (0, 1]: the factor on every stratum's configured rate right now. */
  multiplier(now: number): number {
    this.#roll(now);
    let allowed = Number.POSITIVE_INFINITY;
    const { maxPerHour, maxPerDay, maxShareOfInference } = this.#options;
    if (maxPerHour !== null) {
      allowed = Math.min(allowed, Math.max(0, maxPerHour - this.#hour.spent) / msLeft(now, HOUR_MS));
    }
    if (maxPerDay !== null) {
      allowed = Math.min(allowed, Math.max(0, maxPerDay - this.#day.spent) / msLeft(now, DAY_MS));
    }
    // Without any priced inference the share is unknowable: do not starve the judge over a missing price.
    if (maxShareOfInference !== null && this.#inferenceSeen) {
      allowed = Math.min(allowed, maxShareOfInference * this.#inference.perMs(now));
    }
    const scalable = this.#scalableDemand.perMs(now);
    let multiplier = 1;
    if (allowed !== Number.POSITIVE_INFINITY && scalable > 0) {
      const left = allowed - this.#triggeredDemand.perMs(now);
      multiplier = Math.min(1, Math.max(MIN_RATE_MULTIPLIER, left / scalable));
    }
    this.#lastMultiplier = multiplier;
    return multiplier;
  }

  /** Holds `estimatedCost` if it fits under both ceilings; undefined (refused) otherwise. */
  reserve(estimatedCost: number, now: number): BudgetReservation | undefined {
    this.#roll(now);
    const cost = Math.max(0, estimatedCost);
    const { maxPerHour, maxPerDay } = this.#options;
    if ((maxPerHour !== null && this.#hour.spent + cost > maxPerHour) || (maxPerDay !== null && this.#day.spent + cost > maxPerDay)) {
      this.#refusedCount++;
      return undefined;
    }
    this.#hour.spent += cost;
    this.#day.spent += cost;
    this.#reservedTotal += cost;
    return { estimatedCost: cost, reservedAt: now, hourWindow: this.#hour.index, dayWindow: this.#day.index };
  }

  /**
   * The judge call is done and cost `actualCost`. The difference to the
   * estimate lands in the windows the reservation was made in, if still open
   * (a closed hour is history). Settling twice is ignored.
   */
  commit(reservation: BudgetReservation, actualCost: number): void {
    if (!this.#settle(reservation)) return;
    const actual = Number.isFinite(actualCost) && actualCost > 0 ? actualCost : 0;
    this.#committedTotal += actual;
    if (actual > reservation.estimatedCost) this.#overrunTotal += actual - reservation.estimatedCost;
    this.#adjust(reservation, actual - reservation.estimatedCost);
  }

  /** The judge call was not made (shed, cancelled): the estimate returns to the budget. */
  release(reservation: BudgetReservation): void {
    if (!this.#settle(reservation)) return;
    this.#releasedTotal += reservation.estimatedCost;
    this.#adjust(reservation, -reservation.estimatedCost);
  }

  stats(now: number): BudgetStats {
    this.#roll(now);
    return {
      multiplier: this.#lastMultiplier,
      spentThisHour: this.#hour.spent,
      spentToday: this.#day.spent,
      maxPerHour: this.#options.maxPerHour,
      maxPerDay: this.#options.maxPerDay,
      reservedTotal: this.#reservedTotal,
      committedTotal: this.#committedTotal,
      releasedTotal: this.#releasedTotal,
      overrunTotal: this.#overrunTotal,
      refusedCount: this.#refusedCount,
      inferenceTotal: this.#inferenceTotal,
    };
  }

  #settle(reservation: BudgetReservation): boolean {
    if (this.#settled.has(reservation)) return false;
    this.#settled.add(reservation);
    return true;
  }

  #adjust(reservation: BudgetReservation, delta: number): void {
    if (reservation.hourWindow === this.#hour.index) this.#hour.spent = Math.max(0, this.#hour.spent + delta);
    if (reservation.dayWindow === this.#day.index) this.#day.spent = Math.max(0, this.#day.spent + delta);
  }

  /**
   * Ceilings are per UTC clock hour and UTC day: a new window starts at zero.
   * Windows only move forward; a late timestamp is charged to the open window.
   */
  #roll(now: number): void {
    openWindow(this.#hour, Math.floor(now / HOUR_MS));
    openWindow(this.#day, Math.floor(now / DAY_MS));
  }
}

function openWindow(ledger: Ledger, index: number): void {
  if (index > ledger.index || Number.isNaN(ledger.index)) {
    ledger.index = index;
    ledger.spent = 0;
  }
}

function msLeft(now: number, windowMs: number): number {
  return windowMs - (now % windowMs);
}
