/**
 * Precision and recall of the `fail` label of each built-in commitment check on
 * the hand-labelled replies (test/checks/fixtures/labelled-replies.jsonl, see
 * LABELLING.md there). Used by precision-recall.test.ts; run it to print the table:
 *
 *   node test/checks/precision-recall.ts [--rows] [--only=<id prefix>] [--by-language]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Conversation, GroundingSource, Turn } from '../../src/model/conversation.ts';
import { builtinChecks, runChecks } from '../../src/checks/index.ts';
import { wilson } from '../../src/offline/compare/stats.ts';

export type Label = 'pass' | 'fail' | null;

export interface LabelledRow {
  readonly id: string;
  readonly vertical: string;
  readonly lang: string;
  readonly sources: GroundingSource[];
  readonly reply: string;
  readonly expected: Readonly<Record<string, Label>>;
  readonly note?: string;
}

export interface CheckScore {
  readonly check: string;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  /** Rows where the whole label (pass / fail / none) agrees. */
  readonly agreement: number;
  readonly rows: number;
  readonly precision: number;
  readonly recall: number;
}

export interface Disagreement {
  readonly id: string;
  readonly check: string;
  readonly expected: Label;
  readonly actual: Label | 'error';
  readonly explanation?: string;
}

export const FIXTURE = fileURLToPath(new URL('./fixtures/labelled-replies.jsonl', import.meta.url));

export function loadLabelledRows(path = FIXTURE): LabelledRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const row = JSON.parse(line) as LabelledRow;
      if (typeof row.id !== 'string' || typeof row.reply !== 'string' || !Array.isArray(row.sources) || typeof row.expected !== 'object') {
        throw new Error(`${path}:${index + 1}: a row needs id, sources[], reply and expected`);
      }
      return row;
    });
}

export function scoreChecks(rows: readonly LabelledRow[]): { scores: CheckScore[]; disagreements: Disagreement[] } {
  const disagreements: Disagreement[] = [];
  const scores: CheckScore[] = [];
  const actualByRow = rows.map((row) => {
    const conversation: Conversation = { id: row.id, sources: row.sources };
    const turn: Turn = { conversationId: row.id, traceId: row.id, spanId: row.id, reply: [], replyText: row.reply, toolCalls: [] };
    return runChecks(builtinChecks, turn, conversation);
  });
  for (const check of builtinChecks) {
    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    let agreement = 0;
    rows.forEach((row, index) => {
      const result = actualByRow[index].find((candidate) => candidate.name === check.name);
      const actual: Label | 'error' = result === undefined ? null : result.error ? 'error' : (result.label as Label);
      const expected = row.expected[check.name] ?? null;
      if (actual === expected) agreement++;
      else disagreements.push({ id: row.id, check: check.name, expected, actual, explanation: result?.explanation });
      if (actual === 'fail' && expected === 'fail') truePositives++;
      else if (actual === 'fail') falsePositives++;
      else if (expected === 'fail') falseNegatives++;
    });
    scores.push({
      check: check.name, truePositives, falsePositives, falseNegatives, agreement, rows: rows.length,
      precision: truePositives / Math.max(1, truePositives + falsePositives),
      recall: truePositives / Math.max(1, truePositives + falseNegatives),
    });
  }
  return { scores, disagreements };
}

/** `0.974 [0.865, 0.995]`: the rate with its 95% Wilson interval, or `—` when nothing was counted. */
export function withInterval(successes: number, n: number): string {
  if (n === 0) return '—';
  const { low, high } = wilson(successes, n);
  return `${(successes / n).toFixed(3)} [${low.toFixed(3)}, ${high.toFixed(3)}]`;
}

function printTable(scores: readonly CheckScore[], rows: number, title = `fail-label precision / recall on ${rows} labelled replies`): void {
  console.log(title);
  console.log('| check | TP | FP | FN | precision [95% CI] | recall [95% CI] | label agreement |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const s of scores) {
    const precision = withInterval(s.truePositives, s.truePositives + s.falsePositives);
    const recall = withInterval(s.truePositives, s.truePositives + s.falseNegatives);
    console.log(`| ${s.check} | ${s.truePositives} | ${s.falsePositives} | ${s.falseNegatives} | ${precision} | ${recall} | ${s.agreement}/${s.rows} |`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const prefix = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  const rows = loadLabelledRows().filter((row) => prefix === undefined || row.id.startsWith(prefix));
  const { scores, disagreements } = scoreChecks(rows);
  printTable(scores, rows.length);
  if (process.argv.includes('--by-language')) {
    for (const lang of [...new Set(rows.map((row) => row.lang))]) {
      const ofLang = rows.filter((row) => row.lang === lang);
      console.log('');
      printTable(scoreChecks(ofLang).scores, ofLang.length, `${lang}: ${ofLang.length} replies`);
    }
  }
  if (process.argv.includes('--rows')) {
    for (const d of disagreements) console.log(`${d.id} ${d.check}: expected ${d.expected}, got ${d.actual}${d.explanation ? ` — ${d.explanation}` : ''}`);
  }
}
