import type { HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';

/**
 * The one clock our spans start and end on: the performance timeline (sub-millisecond,
 * monotonic within the process). The SDK's default stamps a span's start with `Date.now()` — whole
 * milliseconds — and its end as start + a `performance.now()` duration, so a child started in the
 * same millisecond as its parent could end up to a millisecond after it (seen: a chat span ending
 * 0.4 ms after its `invoke_agent` turn). Given explicit times from one clock, children nest.
 */
export function spanTime(): HrTime {
  return hrTime();
}
