import type { ConfigIssue } from './config-error.ts';

/** Where variables come from: `process.env` by default, a plain object in tests. */
export type Environment = Readonly<Record<string, string | undefined>>;

// `${NAME}`, `${NAME:-default}` (default when unset or empty), `$$` for a literal `$`.
const REFERENCE = /\$\$|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces variable references in every string value of a parsed config
 * (keys are left alone). Substitution happens after parsing, so a variable's
 * value can never change the file's structure; the field types accept
 * numbers and booleans written as strings.
 */
export function substituteEnv(value: unknown, env: Environment, issues: ConfigIssue[], path = ''): unknown {
  if (typeof value === 'string') return substituteString(value, env, issues, path);
  if (Array.isArray(value)) return value.map((item, index) => substituteEnv(item, env, issues, `${path}[${index}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = substituteEnv(item, env, issues, path ? `${path}.${key}` : key);
    }
    return out;
  }
  return value;
}

function substituteString(text: string, env: Environment, issues: ConfigIssue[], path: string): string {
  if (!text.includes('$')) return text;
  return text.replace(REFERENCE, (match: string, inner: string | undefined) => {
    if (match === '$$') return '$';
    const body = inner ?? '';
    const separator = body.indexOf(':-');
    const name = separator === -1 ? body : body.slice(0, separator);
    if (!NAME.test(name)) {
      issues.push({ path, message: `invalid variable reference ${JSON.stringify(match)}, expected \${NAME} or \${NAME:-default}` });
      return match;
    }
    const current = env[name];
    if (current !== undefined && current !== '') return current;
    if (separator !== -1) return body.slice(separator + 2);
    if (current === '') return '';
    issues.push({
      path,
      message: `environment variable ${name} is not set (write \${${name}:-default} to give a default)`,
    });
    return match;
  });
}
