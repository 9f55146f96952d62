import { createHash } from 'node:crypto';
import type { ReviewItem } from '../store/index.ts';

/**
 * A dataset row made from a confirmed review item, in the offline dataset's
 * JSONL shape (src/offline/dataset/row.ts): the user messages as the input
 * script, the failure as what a good run must not say, tags from the cohort,
 * provenance back to the trace.
 */
export interface HarvestedRow {
  readonly id: string;
  readonly input: string | string[];
  readonly reference?: { mustNotContain?: string[] };
  readonly tags: Record<string, string>;
  readonly metadata: Record<string, unknown>;
  readonly provenance: { source: 'harvested'; traceId: string; spanId: string; conversationId: string; reviewItemId: number; addedAt?: string };
}

/** The identity of a row for de-duplication: its input script, whitespace and case folded. */
export function inputKey(input: string | readonly string[]): string {
  const script = (typeof input === 'string' ? [input] : input).map((text) => text.replace(/\s+/g, ' ').trim().toLowerCase());
  return createHash('sha256').update(JSON.stringify(script)).digest('hex');
}

/** Strings a good run must not repeat: the ungrounded values a commitment check found (already masked). */
function failureValues(item: ReviewItem): string[] {
  const values = item.details?.['ungrounded_values'];
  return Array.isArray(values) ? values.filter((value): value is string => typeof value === 'string' && value.length > 0) : [];
}

/**
 * Cohort attributes under the names a dataset uses for its tags: `app.vertical` → `vertical`
 * (the `app.` namespace is the span attribute's, not the tag's), so a harvested row falls under
 * the same `tag:vertical=*` gate rules and `row.tags.vertical` reads as a hand-written row's.
 */
export function datasetTags(cohort: Readonly<Record<string, string>>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(cohort)) {
    const name = key.startsWith('app.') && key.length > 4 ? key.slice(4) : key;
    // A tag written both ways (`app.vertical` and `vertical`) keeps the unprefixed one.
    if (!(name in tags) || name === key) tags[name] = value;
  }
  return tags;
}

/** `addedAt`: ISO time of the harvest (passed in, no clock here). */
export function rowFromItem(item: ReviewItem, extraMustNotContain: readonly string[] = [], addedAt?: string): HarvestedRow {
  const input = item.userMessages.length === 1 ? item.userMessages[0]! : [...item.userMessages];
  const mustNotContain = [...new Set([...extraMustNotContain, ...failureValues(item)])];
  return {
    id: `harvested-${inputKey(input).slice(0, 16)}`,
    input,
    ...(mustNotContain.length > 0 ? { reference: { mustNotContain } } : {}),
    tags: { ...datasetTags(item.cohort), evaluation: item.evaluation, stratum: item.stratum },
    // Where the row came from lives in provenance (the dataset schema's own fields); what the reviewer saw and decided in metadata.
    metadata: {
      review: {
        evaluation: item.evaluation,
        ...(item.score !== undefined ? { score: item.score } : {}),
        ...(item.label !== undefined ? { judgeLabel: item.label } : {}),
        ...(item.humanLabel !== undefined ? { humanLabel: item.humanLabel } : {}),
        ...(item.note !== undefined ? { note: item.note } : {}),
      },
    },
    provenance: {
      source: 'harvested',
      traceId: item.traceId,
      spanId: item.spanId,
      conversationId: item.conversationId,
      reviewItemId: item.id,
      ...(addedAt !== undefined ? { addedAt } : {}),
    },
  };
}

/** Rows for the items whose input is not already in the dataset (nor repeated among the items). */
export function harvestRows(items: readonly ReviewItem[], existingInputs: readonly (string | readonly string[])[], addedAt?: string): { rows: HarvestedRow[]; duplicates: ReviewItem[]; empty: ReviewItem[] } {
  const seen = new Set(existingInputs.map(inputKey));
  const rows: HarvestedRow[] = [];
  const duplicates: ReviewItem[] = [];
  const empty: ReviewItem[] = [];
  for (const item of items) {
    if (item.userMessages.filter((text) => text.trim()).length === 0) {
      empty.push(item);
      continue;
    }
    const row = rowFromItem(item, [], addedAt);
    const key = inputKey(row.input);
    if (seen.has(key)) {
      duplicates.push(item);
      continue;
    }
    seen.add(key);
    rows.push(row);
  }
  return { rows, duplicates, empty };
}
