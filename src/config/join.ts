import { z } from 'zod';
import { defineSection } from './section.ts';
import { duration, nonNegativeInt, positiveInt } from './fields.ts';

/**
 * `join:` — GenAI content that travels as log records (DESIGN.md, "Two signals"), joined to its
 * span by trace id + span id. Records that come first wait for their span, bounded here; in
 * collector mode a GenAI chat span whose content has not come yet waits `waitMs` for it (the
 * request it came in is held back, not refused), then is evaluated with what it has. Content that
 * comes later still is evaluated then, its results sent as log-based events.
 */
export const JoinConfigSchema = z
  .strictObject({
    /**
     * Collector mode: how long a chat span without its content waits for it. Covers the SDK's log
     * batch delay (BatchLogRecordProcessor: 1 s) and its export; 0 = never wait (results of late
     * content then always go out as log-based events).
     */
    waitMs: nonNegativeInt().prefault(2_000),
    /** Spans whose records wait for them at once; the oldest are evicted beyond it (counted). */
    maxSpans: positiveInt().prefault(20_000),
    /** Characters of record content held at once; the oldest spans' records are evicted beyond it (counted). */
    maxChars: positiveInt().prefault(64 * 1024 * 1024),
    /** Records whose span has not come for this long are forgotten (counted). */
    recordTtl: duration().prefault('5m'),
  })
  .prefault({});

export type JoinConfig = z.output<typeof JoinConfigSchema>;

export const joinSection = defineSection(JoinConfigSchema, {
  TRACEJUDGE_JOIN_WAIT_MS: 'waitMs',
});
