import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError, type ConfigIssue } from './config-error.ts';
import { configIssuesFrom } from './issues.ts';
import { configSections, TracejudgeConfigSchema, type TracejudgeConfig, type TracejudgeConfigInput } from './schema.ts';
import { substituteEnv, type Environment } from './substitute.ts';

export interface LoadOptions {
  /** Variables for `${NAME}` substitution and `TRACEJUDGE_*` overrides; `process.env` by default. */
  readonly env?: Environment;
}

export interface ParseOptions extends LoadOptions {
  /** `yaml` (also reads JSON) or `json`; by default from the file extension, else yaml. */
  readonly format?: 'yaml' | 'json';
  /** Named in error messages, usually the file path. */
  readonly source?: string;
}

/**
 * Reads a YAML or JSON config file, substitutes `${NAME}` / `${NAME:-default}`,
 * applies `TRACEJUDGE_*` environment overrides (they win over the file) and
 * validates. Throws {@link ConfigError} naming every offending field.
 */
export async function loadConfig(path: string, options: LoadOptions = {}): Promise<TracejudgeConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ path: '', message: `cannot read the file: ${(error as Error).message}` }], path);
  }
  const format = extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
  return parseConfig(text, { ...options, format, source: path });
}

export function parseConfig(text: string, options: ParseOptions = {}): TracejudgeConfig {
  const env = options.env ?? process.env;
  const raw = parseText(text, options.format ?? 'yaml', options.source);
  if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError([{ path: '', message: `expected a mapping of sections at the top level, got ${JSON.stringify(raw)}` }], options.source);
  }
  const issues: ConfigIssue[] = [];
  const substituted = substituteEnv(raw ?? {}, env, issues) as Record<string, unknown>;
  if (issues.length > 0) throw new ConfigError(issues, options.source);
  return validate(applyEnvOverrides(substituted, env, 'override'), options.source);
}

/**
 * The library entry: a partial config (as code writes it) completed with
 * defaults. `TRACEJUDGE_*` variables fill only fields the caller left out,
 * as OTel SDK constructor options win over `OTEL_*` variables.
 */
export function resolveConfig(partial: TracejudgeConfigInput = {}, options: LoadOptions = {}): TracejudgeConfig {
  return validate(applyEnvOverrides(partial as Record<string, unknown>, options.env ?? process.env, 'fill'), undefined);
}

function validate(raw: unknown, source: string | undefined): TracejudgeConfig {
  const result = TracejudgeConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigError(configIssuesFrom(result.error), source);
  return result.data;
}

function parseText(text: string, format: 'yaml' | 'json', source: string | undefined): unknown {
  try {
    return format === 'json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line}, column ${error.linePos[0].col})` : '';
    const firstLine = (error as Error).message.split('\n')[0];
    throw new ConfigError([{ path: '', message: `not valid ${format.toUpperCase()}${where}: ${firstLine}` }], source);
  }
}

function applyEnvOverrides(raw: Record<string, unknown>, env: Environment, mode: 'override' | 'fill'): Record<string, unknown> {
  let out = raw;
  for (const [sectionKey, section] of Object.entries(configSections)) {
    for (const [variable, fieldPath] of Object.entries(section.env)) {
      const value = env[variable];
      if (value === undefined || value === '') continue;
      out = setIn(out, [sectionKey, ...fieldPath.split('.')], value, mode);
    }
  }
  return out;
}

/** Copy-on-write set, so a caller's partial config is never mutated. */
function setIn(target: Record<string, unknown>, path: readonly string[], value: string, mode: 'override' | 'fill'): Record<string, unknown> {
  const [head, ...rest] = path;
  const current = target[head];
  if (rest.length === 0) {
    if (mode === 'fill' && current !== undefined) return target;
    return { ...target, [head]: value };
  }
  // A section written as something other than a mapping is left for validation to report.
  if (current !== undefined && (current === null || typeof current !== 'object' || Array.isArray(current))) return target;
  return { ...target, [head]: setIn((current ?? {}) as Record<string, unknown>, rest, value, mode) };
}
