import type { z } from 'zod';

/**
 * One top-level section of the config file (`conversations`, `checks`, and
 * later `sampling`, `judge`, `receiver`, `forward`, `store`, `review`), in its
 * own file. `schema` is placed in the top-level object as is, so it carries its
 * own defaults (`.prefault({})`) or optionality (`.optional()` = feature off).
 */
export interface ConfigSection<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  /**
   * Environment variables that set a field of this section, VAR → dotted
   * field path inside the section. Documented in docs/configuration.md.
   */
  readonly env: Readonly<Record<string, string>>;
}

export function defineSection<S extends z.ZodType>(schema: S, env: Readonly<Record<string, string>> = {}): ConfigSection<S> {
  return { schema, env };
}
