/**
 * Verdicts of the built-in checks on the labelled rows, as the pipeline reaches them from each
 * shape (`tracejudge check` over the rendered OTLP/JSON), and as `runChecks` reaches them from the
 * rows' flat sources. Run it to print precision / recall per shape and every difference:
 *
 *   node test/shapes/verdicts.ts
 */
import { PassThrough, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { builtinChecks, runChecks } from '../../src/checks/index.ts';
import { runCheck } from '../../src/cli/check/run-check.ts';
import type { CheckInput } from '../../src/cli/check/run-check.ts';
import type { Conversation, Turn } from '../../src/model/conversation.ts';
import type { EvaluationResult } from '../../src/model/evaluation-result.ts';
import type { ResultSink } from '../../src/results/result-sink.ts';
import { loadLabelledRows } from '../checks/precision-recall.ts';
import type { Label, LabelledRow } from '../checks/precision-recall.ts';
import { LAYOUTS, renderRow, SHAPES } from './render.ts';
import type { Layout, Shape } from './render.ts';

export const CHECK_NAMES = builtinChecks.map((check) => check.name);

/** One check's verdict on one reply: its label and the values it found ungrounded. */
export interface Verdict {
  readonly label: Label | 'error';
  readonly ungrounded: readonly string[];
}
/** row id → check name → verdict */
export type Verdicts = Map<string, Map<string, Verdict>>;

export function verdictsOf(results: readonly EvaluationResult[]): Map<string, Verdict> {
  const byCheck = new Map<string, Verdict>();
  for (const result of results) {
    if (!CHECK_NAMES.includes(result.name)) continue;
    const ungrounded = result.details?.ungrounded_values;
    byCheck.set(result.name, {
      label: result.error ? 'error' : ((result.label ?? null) as Label),
      ungrounded: Array.isArray(ungrounded) ? ungrounded.map(String) : [],
    });
  }
  return byCheck;
}

/** The rows' own sources, checked directly: the reference every shape must reproduce. */
export function flatVerdicts(rows: readonly LabelledRow[]): Verdicts {
  const verdicts: Verdicts = new Map();
  for (const row of rows) {
    const conversation: Conversation = { id: row.id, sources: row.sources };
    const turn: Turn = { conversationId: row.id, traceId: row.id, spanId: row.id, reply: [], replyText: row.reply, toolCalls: [] };
    verdicts.set(row.id, verdictsOf(runChecks(builtinChecks, turn, conversation)));
  }
  return verdicts;
}

async function* linesOf(text: string): AsyncIterable<string> {
  yield text;
}

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

/** The rows rendered in `shape`, run through `tracejudge check` as one input; verdicts of each row's chat span. */
export async function shapeVerdicts(rows: readonly LabelledRow[], shape: Shape, layout: Layout = 'one-turn'): Promise<Verdicts> {
  const rowOfChatSpan = new Map<string, string>();
  const lines: string[] = [];
  rows.forEach((row, index) => {
    const rendered = renderRow(row, index, shape, layout);
    rowOfChatSpan.set(rendered.chatSpanId, row.id);
    if (rendered.logs !== undefined) lines.push(rendered.logs);
    lines.push(...rendered.traces);
  });
  const text = `${lines.join('\n')}\n`;
  const input: CheckInput = { name: `${shape}.jsonl`, reopenable: true, open: () => Promise.resolve(linesOf(text)) };
  const verdicts: Verdicts = new Map();
  const sink: ResultSink = {
    write(results, target) {
      const id = rowOfChatSpan.get(target.spanId);
      if (id !== undefined) verdicts.set(id, verdictsOf(results));
    },
  };
  const diagnostics = new PassThrough();
  const problems: string[] = [];
  diagnostics.on('data', (chunk: Buffer) => problems.push(chunk.toString()));
  await runCheck({ input: [input], output: discard(), diagnostics, pipeline: { sinks: [sink] } });
  if (problems.length > 0) throw new Error(`${shape}: tracejudge check rejected input:\n${problems.join('')}`);
  return verdicts;
}

export interface VerdictDifference {
  readonly id: string;
  readonly check: string;
  readonly expected: Verdict | undefined;
  readonly actual: Verdict | undefined;
}

export function differences(reference: Verdicts, actual: Verdicts): VerdictDifference[] {
  const found: VerdictDifference[] = [];
  for (const [id, checks] of reference) {
    for (const check of CHECK_NAMES) {
      const expected = checks.get(check);
      const got = actual.get(id)?.get(check);
      if (expected?.label === got?.label && JSON.stringify(expected?.ungrounded ?? []) === JSON.stringify(got?.ungrounded ?? [])) continue;
      found.push({ id, check, expected, actual: got });
    }
  }
  return found;
}

/** Precision and recall of `fail` against the human labels, over all three checks. */
export function precisionRecall(rows: readonly LabelledRow[], verdicts: Verdicts): { precision: number; recall: number; tp: number; fp: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const row of rows) {
    for (const check of CHECK_NAMES) {
      const actual = verdicts.get(row.id)?.get(check)?.label ?? null;
      const expected = row.expected[check] ?? null;
      if (actual === 'fail' && expected === 'fail') tp++;
      else if (actual === 'fail') fp++;
      else if (expected === 'fail') fn++;
    }
  }
  return { precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn), tp, fp, fn };
}

async function main(): Promise<void> {
  const rows = loadLabelledRows();
  const reference = flatVerdicts(rows);
  const show = (name: string, verdicts: Verdicts) => {
    const score = precisionRecall(rows, verdicts);
    console.log(`${name.padEnd(22)} P ${score.precision.toFixed(3)}  R ${score.recall.toFixed(3)}  (tp ${score.tp}, fp ${score.fp}, fn ${score.fn})`);
  };
  show('flat sources', reference);
  for (const layout of LAYOUTS) {
    console.log(`\n${layout}`);
    for (const shape of SHAPES) {
      const verdicts = await shapeVerdicts(rows, shape, layout);
      show(shape, verdicts);
      for (const d of differences(reference, verdicts)) {
        console.log(`  ${d.id} ${d.check}: expected ${JSON.stringify(d.expected)} got ${JSON.stringify(d.actual)}`);
      }
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
