import { z } from 'zod';
import { defineSection } from './section.ts';

/** The placeholder stem rule of src/privacy (`<CUSTOMER_ID_1>`); checked here too so the error names the config field. */
const STEM = /^[A-Z][A-Z0-9_]{0,31}$/;

/** src/privacy's built-in detector kinds (kept equal by test/privacy/config.test.ts; src/config imports nothing of ours). */
export const BUILTIN_KINDS = ['EMAIL', 'IBAN', 'CARD', 'SSN', 'NINO', 'NATIONAL_ID', 'TAX_ID', 'PHONE', 'BIRTH_DATE', 'IP_ADDRESS'] as const;

const pattern = z
  .strictObject({
    /** Placeholder stem: upper-case letters, digits and `_`, e.g. CUSTOMER_ID. */
    name: z.string({ error: 'expected a placeholder name' }).regex(STEM, { error: 'expected upper-case letters, digits and _ (e.g. CUSTOMER_ID)' }),
    /** A JavaScript regular expression source; `g` is always added. */
    pattern: z.string({ error: 'expected a regular expression' }).superRefine((source, context) => {
      let compiled: RegExp;
      try {
        compiled = new RegExp(source, 'g');
      } catch (error) {
        context.addIssue({ code: 'custom', message: `not a valid regular expression (${(error as Error).message})` });
        return;
      }
      if (compiled.test('')) context.addIssue({ code: 'custom', message: 'matches the empty string' });
    }),
    flags: z.string().regex(/^[imsuy]*$/, { error: 'expected regular expression flags among i, m, s, u, y' }).optional(),
  });

/**
 * `privacy:` — personal-data masking (src/privacy `PiiMasker`) applied before
 * anything leaves for the judge, the store, a review queue or a dataset
 * (DESIGN.md, "Non-negotiables"). The built-in kinds (e-mail, phone, card
 * numbers, IBAN, national ids) are always on unless listed in `disable`;
 * `patterns` adds operator-defined ones, checked after the built-ins.
 */
export const PrivacyConfigSchema = z
  .strictObject({
    patterns: z.array(pattern).prefault([]),
    /** Built-in kinds to leave unmasked, e.g. [TAX_ID]. */
    disable: z.array(z.enum(BUILTIN_KINDS, { error: `expected a built-in kind: ${BUILTIN_KINDS.join(', ')}` })).prefault([]),
    /**
     * The environment variable holding the key of the keyed hash that replaces conversation ids
     * carrying personal data (`pii-<hash>`). Unset: a key drawn per process (hashes then differ
     * between processes and restarts).
     */
    idKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name' }).prefault('TRACEJUDGE_PRIVACY_ID_KEY'),
  })
  .prefault({});

export type PrivacyConfig = z.output<typeof PrivacyConfigSchema>;

export const privacySection = defineSection(PrivacyConfigSchema);
