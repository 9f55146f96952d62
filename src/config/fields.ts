import { z } from 'zod';

/**
 * Field types shared by every config section. Each accepts its value as a
 * YAML/JSON scalar or as a string, because `${ENV_VAR}` substitution always
 * yields strings (`maxOpen: ${MAX_OPEN}` must still be a number), and each
 * carries a message that reads well after the field path:
 * `conversations.maxOpen: expected a positive integer, got "lots"`.
 */

const NUMERIC = /^\s*[+-]?\d+(?:\.\d+)?\s*$/;
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function numberLike(message: string) {
  return z.union([z.number(), z.string().regex(NUMERIC).transform(Number)], { error: message });
}

export function positiveInt() {
  const message = 'expected a positive integer';
  return numberLike(message).pipe(z.number().int({ error: message }).positive({ error: message }));
}

export function nonNegativeInt() {
  const message = 'expected an integer >= 0';
  return numberLike(message).pipe(z.number().int({ error: message }).nonnegative({ error: message }));
}

/** A share or probability, 0..1 inclusive. */
export function fraction() {
  const message = 'expected a number between 0 and 1';
  return numberLike(message).pipe(z.number({ error: message }).min(0, { error: message }).max(1, { error: message }));
}

export function booleanish() {
  const message = 'expected true or false';
  return z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')], { error: message });
}

export function nonEmptyString() {
  return z.string({ error: 'expected a non-empty string' }).trim().min(1, { error: 'expected a non-empty string' });
}

/**
 * A duration in milliseconds: a number (ms) or a string with a unit,
 * `250ms`, `30s`, `5m`, `1h`, `1d` (no unit means ms). Parses to ms.
 */
export function duration() {
  const message = 'expected a duration like "5m", "30s", "250ms" or a number of milliseconds';
  const fromString = z
    .string()
    .regex(DURATION)
    .transform((text) => {
      const [, amount, unit] = DURATION.exec(text) as RegExpExecArray;
      return Math.round(Number(amount) * UNIT_MS[unit ?? 'ms']);
    });
  return z
    .union([z.number(), fromString], { error: message })
    .pipe(z.number().finite({ error: message }).nonnegative({ error: message }));
}

/** Parses a duration outside a schema (CLI flags); undefined when malformed. */
export function parseDurationMs(value: string | number): number | undefined {
  const result = duration().safeParse(value);
  return result.success ? result.data : undefined;
}
