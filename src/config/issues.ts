import type { z } from 'zod';
import type { ConfigIssue } from './config-error.ts';

const MAX_SHOWN_CHARS = 80;

/** Zod issues → `path: message, got <value>` issues, one per offending field. */
export function configIssuesFrom(error: z.ZodError): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  collect(error.issues, [], issues);
  return issues;
}

function collect(found: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[], issues: ConfigIssue[]): void {
  for (const issue of found) {
    const fullPath = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      // A value of the right shape with one bad element (a list with a number in
      // it) is best reported at that element, not as "none of the forms matched".
      const deeper = issue.errors.filter((branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0));
      if (deeper.length === 1) {
        collect(deeper[0], fullPath, issues);
        continue;
      }
    }
    const path = formatPath(fullPath);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({ path: path ? `${path}.${key}` : key, message: 'unknown key' });
      }
      continue;
    }
    issues.push({ path, message: `${issue.message}, got ${describeValue(issue.input)}` });
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}
