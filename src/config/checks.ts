import { z } from 'zod';
import { defineSection } from './section.ts';
import { nonEmptyString, positiveInt } from './fields.ts';

/** A list, or a comma-separated string (how a list arrives from an environment variable). */
const checkNames = z.union(
  [
    z.array(nonEmptyString()),
    z.string().transform((text) =>
      text
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name.length > 0),
    ),
  ],
  { error: 'expected a list of check names, e.g. [commitment.price, commitment.time]' },
);

const keyWords = z.array(nonEmptyString(), { error: 'expected a list of key words, e.g. [copago, acompte]' });

/**
 * The deterministic checks run inline on every span. Names are checked
 * against the registry where the config is applied (src/config imports
 * nothing of ours), with an error naming `checks.enabled[i]`.
 */
export const ChecksConfigSchema = z
  .strictObject({
    /** Check names to run; absent means every built-in check. */
    enabled: checkNames.optional(),
    /**
     * Characters of a reply the checks read; longer replies are checked on their start and the result
     * says so. 64 KiB: src/checks' DEFAULT_MAX_SCANNED_CHARS, written out because src/config imports
     * nothing of ours (test/checks/scan-cap-default.test.ts keeps the two equal).
     */
    maxScannedChars: positiveInt().prefault(65_536),
    /** A total in a reply may add up to this many line items of one tool result (docs/checks.md); 2 turns totals off. */
    maxLineItems: positiveInt().pipe(z.number().max(12, { error: 'expected at most 12 (a total of more line items is searched for too long)' })).prefault(4),
    /**
     * Key words a team's tool schemas use, added to the built-in ones (docs/checks.md, "What a
     * number means"): each is matched case-insensitively inside a JSON key.
     */
    sourceKeys: z
      .strictObject({
        money: keyWords.optional(),
        percent: keyWords.optional(),
        identifier: keyWords.optional(),
        count: keyWords.optional(),
        neutral: keyWords.optional(),
      })
      .optional(),
  })
  .prefault({});

export type ChecksConfig = z.output<typeof ChecksConfigSchema>;

export const checksSection = defineSection(ChecksConfigSchema, {
  TRACEJUDGE_CHECKS_ENABLED: 'enabled',
  TRACEJUDGE_CHECKS_MAX_SCANNED_CHARS: 'maxScannedChars',
  TRACEJUDGE_CHECKS_MAX_LINE_ITEMS: 'maxLineItems',
});
