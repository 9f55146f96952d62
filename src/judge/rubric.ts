import { createHash } from 'node:crypto';

/** The numbers a judge may answer with; `max` is best. */
export interface RubricScale {
  readonly min: number;
  readonly max: number;
  /** Whole numbers only (a 1–5 Likert scale); false allows e.g. 0.0–1.0. */
  readonly integer: boolean;
}

/**
 * One criterion the LLM judge grades. The text is ours (built in, or from the
 * operator's config), never from a trace: it goes in the system message.
 */
export interface Rubric {
  /** Result name, e.g. `faithfulness`: lowercase, digits, `_`, `.`, `-`. */
  readonly name: string;
  /** One line, for listings. */
  readonly description: string;
  /** What to look at and how each score reads; the judge's criteria. */
  readonly instructions: string;
  readonly scale: RubricScale;
  /** The low-cardinality labels the judge must choose from, best first. */
  readonly labels: readonly string[];
}

export const RUBRIC_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

/** Maps a score on the rubric's scale to 0..1 (DESIGN.md: 1 is best). */
export function normalizeScore(score: number, scale: RubricScale): number {
  const normalized = (score - scale.min) / (scale.max - scale.min);
  return Math.min(1, Math.max(0, normalized));
}

/**
 * A short content hash of everything that shapes the judge's answer, so
 * scores from different rubric texts are never mixed silently (`rubric.version`).
 */
export function rubricVersion(rubric: Rubric): string {
  const canonical = JSON.stringify([rubric.name, rubric.instructions, rubric.scale.min, rubric.scale.max, rubric.scale.integer, rubric.labels]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

/** The scale as the judge reads it, e.g. `an integer from 1 to 5`. */
export function describeScale(scale: RubricScale): string {
  return `${scale.integer ? 'an integer' : 'a number'} from ${scale.min} to ${scale.max}`;
}

/** Problems with a rubric's own definition, each naming the field; empty when usable. */
export function rubricProblems(rubric: Rubric): string[] {
  const problems: string[] = [];
  if (!RUBRIC_NAME.test(rubric.name)) problems.push(`name: ${JSON.stringify(rubric.name)} must match ${RUBRIC_NAME}`);
  if (!rubric.instructions.trim()) problems.push('instructions: must not be empty');
  const { min, max, integer } = rubric.scale;
  if (!Number.isFinite(min) || !Number.isFinite(max) || min >= max) {
    problems.push(`scale: min (${min}) must be a number below max (${max})`);
  } else if (integer && (!Number.isInteger(min) || !Number.isInteger(max))) {
    problems.push(`scale: an integer scale needs integer bounds, got ${min}..${max}`);
  }
  if (rubric.labels.length === 0) problems.push('labels: at least one label is needed');
  const seen = new Set<string>();
  rubric.labels.forEach((label, index) => {
    if (!label.trim()) problems.push(`labels[${index}]: must not be empty`);
    if (seen.has(label)) problems.push(`labels[${index}]: ${JSON.stringify(label)} appears twice`);
    seen.add(label);
  });
  return problems;
}
