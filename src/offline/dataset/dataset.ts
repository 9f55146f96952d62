import { createHash } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DatasetError } from './dataset-error.ts';
import { issueMessage, parseRows } from './parse.ts';
import { DatasetRowSchema } from './row.ts';
import type { DatasetRow, DatasetRowInput } from './row.ts';

export const DEFAULT_DATASET_DIR = '.tracejudge/datasets';

/** A dataset at one version: its name, the hash of its content, its rows. */
export interface Dataset {
  readonly name: string;
  readonly path: string;
  /** The rows' identity (`rowsVersion`): any append or edit of a row changes it; formatting does not. */
  readonly version: string;
  readonly rows: readonly DatasetRow[];
}

/**
 * sha256 (first 16 hex digits) of the rows as parsed (defaults filled, keys in a fixed order),
 * without `provenance.addedAt` — when a row was stored is not what it is. The same rows then
 * have one version whether a file is passed to `eval --dataset FILE` or first stored with
 * `dataset add` (which stamps `addedAt` and writes each row as one compact line), so
 * experiments on either compare.
 */
export function rowsVersion(rows: readonly DatasetRow[]): string {
  const hash = createHash('sha256');
  for (const row of rows) {
    const { addedAt: _addedAt, ...provenance } = row.provenance;
    hash.update(canonicalJson({ ...row, provenance }));
    hash.update('\n');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The version of a JSONL text's valid rows (see `rowsVersion`). */
export function contentVersion(text: string): string {
  return rowsVersion(parseRows(text).rows);
}

/** JSON with object keys sorted, so key order in a file is not identity. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** `NAME` → `DIR/NAME.jsonl`; anything with a slash or a `.jsonl` suffix is a path. */
export function resolveDatasetPath(nameOrPath: string, dir = DEFAULT_DATASET_DIR): { name: string; path: string } {
  if (nameOrPath.includes('/') || nameOrPath.endsWith('.jsonl')) {
    return { name: basename(nameOrPath).replace(/\.jsonl$/, ''), path: nameOrPath };
  }
  if (!/^[A-Za-z0-9][\w.-]*$/.test(nameOrPath)) {
    throw new DatasetError(`dataset name "${nameOrPath}" must be letters, digits, "_", "-" or "."`);
  }
  return { name: nameOrPath, path: join(dir, `${nameOrPath}.jsonl`) };
}

/** Loads and validates a whole dataset; any bad row fails the load with every problem listed. */
export async function loadDataset(nameOrPath: string, dir?: string): Promise<Dataset> {
  const { name, path } = resolveDatasetPath(nameOrPath, dir);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new DatasetError(`dataset ${nameOrPath}: cannot read ${path} (${error.code ?? error.message})`);
  });
  const { rows, problems } = parseRows(text);
  if (problems.length > 0) throw new DatasetError(`dataset ${path}: ${problems.length} invalid row(s)`, problems);
  if (rows.length === 0) throw new DatasetError(`dataset ${path} has no rows`);
  return { name, path, version: rowsVersion(rows), rows };
}

/**
 * Appends rows. Append-only (docs/offline.md): an id already in the dataset is
 * refused, the file's existing bytes are never rewritten, and nothing is
 * written unless every new row is valid. Returns the new version.
 */
export async function appendRows(nameOrPath: string, rows: readonly DatasetRowInput[], dir?: string, now = new Date()): Promise<Dataset> {
  const { path } = resolveDatasetPath(nameOrPath, dir);
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw new DatasetError(`cannot read ${path} (${error.code ?? error.message})`);
  });
  const current = parseRows(existing);
  if (current.problems.length > 0) throw new DatasetError(`dataset ${path} has invalid rows; fix them before appending`, current.problems);
  const ids = new Set(current.rows.map((row) => row.id));
  const problems: { line: number; message: string }[] = [];
  const lines: string[] = [];
  for (const [index, input] of rows.entries()) {
    const parsed = DatasetRowSchema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ line: index + 1, message: issueMessage(issue, input) });
      continue;
    }
    const row = parsed.data;
    if (ids.has(row.id)) {
      problems.push({ line: index + 1, message: `id: "${row.id}" already exists in ${path}; rows are never rewritten, add a new id` });
      continue;
    }
    ids.add(row.id);
    lines.push(JSON.stringify({ ...row, provenance: { ...row.provenance, addedAt: row.provenance.addedAt ?? now.toISOString() } }));
  }
  if (problems.length > 0) throw new DatasetError(`nothing appended to ${path}: ${problems.length} problem(s) in the new rows`, problems);
  await mkdir(dirname(path), { recursive: true });
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await appendFile(path, `${separator}${lines.join('\n')}\n`);
  return loadDataset(path);
}

export interface DatasetListing {
  readonly name: string;
  readonly path: string;
  readonly rows: number;
  readonly version: string;
  readonly bytes: number;
}

export async function listDatasets(dir = DEFAULT_DATASET_DIR): Promise<DatasetListing[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const listings: DatasetListing[] = [];
  for (const file of names.filter((name) => name.endsWith('.jsonl')).sort()) {
    const path = join(dir, file);
    const text = await readFile(path, 'utf8');
    const { rows } = parseRows(text);
    listings.push({ name: file.replace(/\.jsonl$/, ''), path, rows: rows.length, version: rowsVersion(rows), bytes: (await stat(path)).size });
  }
  return listings;
}
