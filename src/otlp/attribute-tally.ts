
/**
 * How big a span's attributes are. Decoding keeps every value whole (OTLP has no
 * per-value limit); the pipeline uses these to cap what it scans.
 */
export interface AttributeSizes {
  /** Values counted at every nesting level (a kvlist with 3 entries counts 4). */
  readonly values: number;
  /** Characters of all string values plus bytes of all bytes values. */
  readonly totalChars: number;
  readonly largestChars: number;
  /** A 64-bit integer beyond ±2^53 is held as a bigint. */
  readonly hasBigInt: boolean;
}

/**
 * Nesting cap for AnyValue arrays / kvlists. GenAI message attributes need
 * about six levels (messages → parts → tool arguments → user JSON); the cap
 * stops a hostile payload from making every reader recurse without end.
 * protobufjs's own limit (100 nested messages, 3 per kvlist level) is higher.
 */
export const MAX_ANY_VALUE_DEPTH = 20;

/** Accumulates {@link AttributeSizes} while one span's attributes are decoded. */
export class AttributeTally {
  values = 0;
  totalChars = 0;
  largestChars = 0;
  hasBigInt = false;

  text(length: number): void {
    this.totalChars += length;
    if (length > this.largestChars) this.largestChars = length;
  }

  sizes(): AttributeSizes {
    return {
      values: this.values,
      totalChars: this.totalChars,
      largestChars: this.largestChars,
      hasBigInt: this.hasBigInt,
    };
  }
}

/**
 * Integral doubles (`doubleValue: 2`) read as the JS number 2, like ints. To
 * write them back as doubles, the decoder marks their place in the container
 * (record or array) here; unmarked integral numbers encode as `intValue`.
 */
const integralDoubles = new WeakMap<object, Set<string | number>>();

export function markIntegralDouble(container: object, key: string | number): void {
  let keys = integralDoubles.get(container);
  if (keys === undefined) integralDoubles.set(container, (keys = new Set()));
  keys.add(key);
}

export function isIntegralDouble(container: object, key: string | number): boolean {
  return integralDoubles.get(container)?.has(key) ?? false;
}

/** Plain objects, but a `__proto__` key stays an own property (not the prototype). */
export function setEntry(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    record[key] = value;
  }
}
