import { z } from 'zod';
import { defineSection } from './section.ts';
import { booleanish, duration, fraction, nonEmptyString, nonNegativeInt, positiveInt } from './fields.ts';

const HEADER_VALUE_VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `review:` — what counts as needing a human look (a score below `below`, or a
 * check labelled fail) and where such results go besides the store: a
 * JSON-lines file and/or a webhook; with a `store:` section, its review queue. Webhook header values name environment
 * variables (secrets never live in the file).
 */
export const ReviewConfigSchema = z
  .strictObject({
    /** Results scoring strictly below this are routed to review. */
    below: fraction().prefault(0.5),
    /** With a `store:` section, route those results into the store's review queue as they are written (else only `tracejudge harvest` queues). */
    queue: booleanish().prefault(true),
    /** Append low-score results to this JSON-lines file. */
    jsonl: z.strictObject({ path: nonEmptyString() }).optional(),
    webhook: z
      .strictObject({
        url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
        timeout: duration().prefault('5s'),
        maxRetries: nonNegativeInt().prefault(3),
        maxQueued: positiveInt().prefault(1000),
        /** Header name → environment variable holding its value, e.g. { Authorization: REVIEW_HOOK_AUTH }. */
        headersFromEnv: z.record(nonEmptyString(), z.string().regex(HEADER_VALUE_VARIABLE, { error: 'expected an environment variable name' })).prefault({}),
      })
      .optional(),
  })
  .prefault({});

export type ReviewConfig = z.output<typeof ReviewConfigSchema>;

export const reviewSection = defineSection(ReviewConfigSchema, {
  TRACEJUDGE_REVIEW_BELOW: 'below',
  TRACEJUDGE_REVIEW_JSONL_PATH: 'jsonl.path',
  TRACEJUDGE_REVIEW_WEBHOOK_URL: 'webhook.url',
});
