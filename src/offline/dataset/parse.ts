import type { z } from 'zod';
import type { RowProblem } from './dataset-error.ts';
import { DatasetRowSchema } from './row.ts';
import type { DatasetRow } from './row.ts';

export interface ParsedRows {
  readonly rows: readonly DatasetRow[];
  readonly problems: readonly RowProblem[];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'object';
  return String(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : text === '' ? String(key) : `.${String(key)}`;
  return text === '' ? '(row)' : text;
}

/** `reference.expectedToolCalls[0].name: expected string, got 3` */
export function issueMessage(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = fieldPath(issue.path);
  if (issue.code === 'invalid_union') {
    const got = valueAt(raw, issue.path);
    return `${path}: expected a string or an array of strings, got ${got === undefined ? 'nothing' : describe(got)}`;
  }
  if (issue.code === 'invalid_type') {
    const got = valueAt(raw, issue.path);
    return `${path}: expected ${issue.expected}, got ${got === undefined ? 'nothing' : describe(got)}`;
  }
  if (issue.code === 'unrecognized_keys') return `${path}: unknown key(s) ${issue.keys.join(', ')}`;
  return `${path}: ${issue.message}`;
}

/** Parses JSONL text; every bad line is reported by number and field, good lines are kept. */
export function parseRows(text: string, firstLine = 1): ParsedRows {
  const rows: DatasetRow[] = [];
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  for (const [index, rawLine] of lines.entries()) {
    const line = firstLine + index;
    if (rawLine.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(rawLine);
    } catch (error) {
      problems.push({ line, message: `not JSON (${(error as Error).message})` });
      continue;
    }
    const parsed = DatasetRowSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ line, message: issueMessage(issue, raw) });
      continue;
    }
    const earlier = seen.get(parsed.data.id);
    if (earlier !== undefined) {
      problems.push({ line, message: `id: "${parsed.data.id}" already used on line ${earlier}` });
      continue;
    }
    seen.set(parsed.data.id, line);
    rows.push(parsed.data);
  }
  return { rows, problems };
}
