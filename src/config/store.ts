import { z } from 'zod';
import { booleanish, duration, nonEmptyString, positiveInt } from './fields.ts';
import { defineSection } from './section.ts';

/**
 * `store:` — the embedded node:sqlite store (src/store): evaluated replies
 * (masked; passing ones too unless `keepPassing: false`), their scores, the review queue. Optional: when
 * present, the online stage (processor or collector) writes to it; the review,
 * harvest, coverage and drift commands read it (their `--store` flag wins).
 * Retention bounds the file: the oldest rows go first past `maxRows`, and rows
 * older than `maxAge` are pruned as new ones are written.
 */
export const StoreConfigSchema = z
  .strictObject({
    path: nonEmptyString().prefault('.tracejudge/tracejudge.db'),
    /** Passing results are stored too: drift and coverage then see all traffic, not only failures. */
    keepPassing: booleanish().prefault(true),
    retention: z
      .strictObject({
        maxRows: positiveInt().prefault(100_000),
        maxAge: duration()
          .pipe(z.number().positive({ error: 'expected a duration above 0' }))
          .prefault('30d'),
      })
      .prefault({}),
  })
  .optional();

export type StoreConfig = z.output<typeof StoreConfigSchema>;

export const storeSection = defineSection(StoreConfigSchema, {
  TRACEJUDGE_STORE_PATH: 'path',
  TRACEJUDGE_STORE_KEEP_PASSING: 'keepPassing',
  TRACEJUDGE_STORE_MAX_ROWS: 'retention.maxRows',
  TRACEJUDGE_STORE_MAX_AGE: 'retention.maxAge',
});
