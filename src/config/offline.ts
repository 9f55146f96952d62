import { z } from 'zod';
import { duration, nonEmptyString, positiveInt } from './fields.ts';
import { defineSection } from './section.ts';

/**
 * `offline:` — defaults of `tracejudge eval` (docs/offline.md); each is
 * overridden by its flag (`--concurrency`, `--repetitions`, `--timeout`,
 * `--gate`, `--store`). Gate rules are kept as text here: their grammar
 * belongs to src/offline, which parses them and names `offline.gate[i]` when
 * one is malformed (src/config imports nothing of ours).
 */

const gateRules = z
  .union(
    [
      z.array(nonEmptyString()),
      // One string, rules separated by ";" (how a list arrives from an environment variable).
      z.string().transform((text) => text.split(';').map((rule) => rule.trim()).filter((rule) => rule.length > 0)),
    ],
    { error: 'expected a list of gate rules, e.g. ["*: max-drop 1.5%", "latency.p95: max-increase 20%"]' },
  );

export const OfflineConfigSchema = z
  .strictObject({
    /** Runs at once; models production rate limits. */
    concurrency: positiveInt().prefault(4),
    /** Runs per dataset row. */
    repetitions: positiveInt().prefault(1),
    /** Per run; a run past it is recorded as an error and the experiment goes on. */
    timeout: duration().pipe(z.number().positive({ error: 'expected a duration above 0' })).prefault('60s'),
    /** Applied when `eval` is given `--baseline`; `--gate` flags replace them. */
    gate: gateRules.prefault([]),
    /** Multiplicity adjustment within each gate rule's checks (its tag values × evaluators): holm | bh | none. */
    gateAdjust: z.enum(['holm', 'bh', 'none'], { error: 'expected holm, bh or none' }).prefault('holm'),
    /** The experiments database (node:sqlite). */
    store: nonEmptyString().prefault('.tracejudge/tracejudge.db'),
  })
  .prefault({});

export type OfflineConfig = z.output<typeof OfflineConfigSchema>;

export const offlineSection = defineSection(OfflineConfigSchema, {
  TRACEJUDGE_OFFLINE_CONCURRENCY: 'concurrency',
  TRACEJUDGE_OFFLINE_REPETITIONS: 'repetitions',
  TRACEJUDGE_OFFLINE_TIMEOUT: 'timeout',
  TRACEJUDGE_OFFLINE_GATE: 'gate',
  TRACEJUDGE_OFFLINE_GATE_ADJUST: 'gateAdjust',
  TRACEJUDGE_OFFLINE_STORE: 'store',
});
