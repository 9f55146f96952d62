import type { HrTime } from '@opentelemetry/api';

const NANOS_PER_SECOND = 1_000_000_000n;

/** Exact: nanoseconds since the epoch fit an HrTime's [seconds, nanos] without a double in between. */
export function nanosToHrTime(nanos: bigint): HrTime {
  return [Number(nanos / NANOS_PER_SECOND), Number(nanos % NANOS_PER_SECOND)];
}
