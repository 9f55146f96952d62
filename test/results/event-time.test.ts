import { describe, expect, it } from 'vitest';
import { resultEventNanos, resultEventTime } from '../../src/results/event-time.ts';

/** Jaeger's view of a span and an event: microseconds, each truncated from nanoseconds. */
const inJaegerRange = (start: bigint, end: bigint, at: bigint) => at / 1000n >= start / 1000n && at / 1000n <= start / 1000n + (end - start) / 1000n;

describe('when a result event is stamped', () => {
  it('the span\'s exact end falls outside Jaeger\'s microsecond span when the start\'s fraction is the larger', () => {
    // start …1.900 µs, end …10.100 µs: Jaeger shows 1 µs + 8 µs, so ends at 9 µs; the end itself reads 10 µs.
    expect(inJaegerRange(1_900n, 10_100n, 10_100n)).toBe(false);
    expect(resultEventNanos(1_900n, 10_100n)).toBe(9_000n);
    expect(inJaegerRange(1_900n, 10_100n, 9_000n)).toBe(true);
  });

  it('lies within the span in nanoseconds and in Jaeger\'s microseconds, under 2 µs before the end, for any span', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const base = 1_765_000_000_000_000_000n;
    for (let i = 0; i < 20_000; i++) {
      const start = base + BigInt(Math.floor(random() * 1e9));
      const duration = BigInt(Math.floor(random() ** 4 * 5e6)); // many sub-microsecond and few-µs spans
      const end = start + duration;
      const at = resultEventNanos(start, end);
      expect(at >= start && at <= end).toBe(true);
      expect(inJaegerRange(start, end, at)).toBe(true);
      if (duration >= 2_000n) expect(end - at < 2_000n).toBe(true);
    }
  });

  it('takes and gives HrTime as the SDK writes it; a span with no length gets its start', () => {
    expect(resultEventTime([1_765_000_000, 1_900], [1_765_000_000, 10_100])).toEqual([1_765_000_000, 9_000]);
    expect(resultEventTime([1_765_000_000, 999_999_500], [1_765_000_001, 400])).toEqual([1_765_000_000, 999_999_500]);
    expect(resultEventNanos(5_000n, 5_000n)).toBe(5_000n);
  });
});
