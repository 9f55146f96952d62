import { appendFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { EVALUATION_RESULT_EVENT, evaluationEventAttributes } from '../../results/index.ts';
import { agreementByRubric, humanResult, parseDuration } from '../../review/index.ts';
import type { TracejudgeConfig } from '../../config/index.ts';
import { decideReviewItems, listReviewItems, StoreError, TracejudgeStore } from '../../store/index.ts';
import type { ReviewDecision, ReviewItem, ReviewQuery } from '../../store/index.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { CliUsageError, ExitCode } from '../cli-command.ts';
import { cliConfig } from '../cli-config.ts';

export const DEFAULT_STORE_PATH = '.tracejudge/tracejudge.db';

/** The flags every store-reading command shares. */
export interface StoreFlags {
  store?: string;
  config?: string;
}

/**
 * The config (`--config`, else defaults with `TRACEJUDGE_*` variables) and the
 * store it names; `--store` wins over `store.path`, which wins over the default.
 * Config and store errors become usage errors.
 */
export async function openCliStore(flags: StoreFlags): Promise<{ store: TracejudgeStore; config: TracejudgeConfig }> {
  const config = await cliConfig(flags.config);
  const retention = config.store?.retention;
  try {
    const store = TracejudgeStore.open(flags.store ?? config.store?.path ?? DEFAULT_STORE_PATH, retention ? { maxRows: retention.maxRows, maxAgeMs: retention.maxAge } : {});
    return { store, config };
  } catch (error) {
    if (error instanceof StoreError) throw new CliUsageError(error.message);
    throw error;
  }
}

export function durationFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text, flag);
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

interface ReviewFlags extends StoreFlags {
  evaluation?: string;
  stratum?: string;
  cohort?: string;
  since?: string;
  all?: boolean;
  confirm: string[];
  reject: string[];
  relabel: string[];
  label?: string;
  note?: string;
  stats?: boolean;
  below?: string;
  exportOtlp?: string;
  interactive?: boolean;
}

function itemId(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new CliUsageError(`${flag} expects a review item id (a number), got ${JSON.stringify(text)}`);
  return Number(text);
}

function summary(item: ReviewItem): string {
  const score = item.score === undefined ? '  -  ' : item.score.toFixed(3);
  const cohort = Object.entries(item.cohort).map(([key, value]) => `${key}=${value}`).join(',');
  const first = (item.userMessages[0] ?? '').replace(/\s+/g, ' ').slice(0, 60);
  return `${String(item.id).padStart(5)}  ${score.padStart(5)}  ${item.status.padEnd(10)} ${item.evaluation.padEnd(18)} ${item.stratum.padEnd(12)} ${(cohort || '-').padEnd(24)} "${first}"`;
}

/** The listing's column names, aligned with `summary`. */
const SUMMARY_HEADER = `${'id'.padStart(5)}  ${'score'.padStart(5)}  ${'status'.padEnd(10)} ${'evaluation'.padEnd(18)} ${'stratum'.padEnd(12)} ${'cohort'.padEnd(24)} first user message`;

function query(flags: ReviewFlags): ReviewQuery {
  const since = durationFlag(flags.since, '--since');
  let cohort: ReviewQuery['cohort'];
  if (flags.cohort !== undefined) {
    const at = flags.cohort.indexOf('=');
    if (at <= 0) throw new CliUsageError(`--cohort expects KEY=VALUE (e.g. app.vertical=restaurants), got ${JSON.stringify(flags.cohort)}`);
    cohort = { key: flags.cohort.slice(0, at), value: flags.cohort.slice(at + 1) };
  }
  return {
    ...(flags.all ? {} : { status: 'pending' as const }),
    ...(flags.evaluation ? { evaluation: flags.evaluation } : {}),
    ...(flags.stratum ? { stratum: flags.stratum } : {}),
    ...(cohort ? { cohort } : {}),
    ...(since !== undefined ? { since: Date.now() - since } : {}),
  };
}

function decide(store: TracejudgeStore, decisions: readonly { id: number; decision: ReviewDecision }[], io: CliIo): void {
  try {
    for (const item of decideReviewItems(store, decisions, Date.now())) io.stdout.write(`review item ${item.id}: ${item.status}${item.humanLabel ? ` as ${item.humanLabel}` : ''}\n`);
  } catch (error) {
    if (error instanceof StoreError) throw new CliUsageError(error.message);
    throw error;
  }
}

/** One OTLP/JSON ExportLogsServiceRequest per line: a log-based `gen_ai.evaluation.result` event per decision (REFERENCE.md). */
async function exportHuman(store: TracejudgeStore, file: string, below: number): Promise<number> {
  let lines = '';
  let count = 0;
  for (const item of listReviewItems(store, { status: 'decided' })) {
    const result = humanResult(item, below);
    if (!result) continue;
    const attributes = Object.entries(evaluationEventAttributes(result)).map(([key, value]) => ({ key, value: anyValue(value) }));
    const nanos = `${BigInt(item.decidedAt ?? Date.now()) * 1_000_000n}`;
    const record = { timeUnixNano: nanos, observedTimeUnixNano: nanos, eventName: EVALUATION_RESULT_EVENT, traceId: item.traceId, spanId: item.spanId, attributes };
    lines += `${JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'tracejudge-review' } }] }, scopeLogs: [{ scope: { name: 'tracejudge.review' }, logRecords: [record] }] }] })}\n`;
    count++;
  }
  await appendFile(file, lines);
  return count;
}

function anyValue(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) && value !== 0 && value !== 1 ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { stringValue: String(value) };
}

async function interactive(store: TracejudgeStore, items: readonly ReviewItem[], io: CliIo): Promise<void> {
  const rl = createInterface({ input: io.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (prompt: string): Promise<string | undefined> => {
    io.stdout.write(prompt);
    const next = await lines.next();
    return next.done ? undefined : String(next.value).trim();
  };
  try {
    for (const item of items) {
      io.stdout.write(`\n${summary(item)}\n  ${item.evaluation}: ${item.label ?? ''} ${item.explanation ?? ''}\n`);
      for (const line of item.transcript) io.stdout.write(`  ${line.role}: ${line.text}\n`);
      let answer: string | undefined;
      while ((answer = await ask('[c]onfirm [r]eject re[l]abel [s]kip [q]uit > ')) !== undefined && !/^[crlsq]$/i.test(answer)) io.stdout.write(`  unknown choice ${JSON.stringify(answer)}\n`);
      if (answer === undefined || /^q$/i.test(answer)) break;
      if (/^s$/i.test(answer)) continue;
      let humanLabel: string | undefined;
      if (/^l$/i.test(answer)) humanLabel = (await ask('label > ')) || undefined;
      const note = (await ask('note (enter for none) > ')) || undefined;
      const status = /^c$/i.test(answer) ? 'confirmed' : /^r$/i.test(answer) ? 'rejected' : 'relabelled';
      if (status === 'relabelled' && !humanLabel) {
        io.stdout.write('  no label given; skipped\n');
        continue;
      }
      decide(store, [{ id: item.id, decision: { status, ...(humanLabel ? { humanLabel } : {}), ...(note ? { note } : {}) } }], io);
    }
  } finally {
    rl.close();
  }
}

async function review(flags: ReviewFlags, io: CliIo): Promise<number> {
  if (flags.relabel.length > 0 && !flags.label) throw new CliUsageError('--relabel ID needs --label LABEL (e.g. --label fail)');
  const decisions = [
    ...flags.confirm.map((id) => ({ id: itemId(id, '--confirm'), decision: { status: 'confirmed' as const } })),
    ...flags.reject.map((id) => ({ id: itemId(id, '--reject'), decision: { status: 'rejected' as const } })),
    ...flags.relabel.map((id) => ({ id: itemId(id, '--relabel'), decision: { status: 'relabelled' as const, humanLabel: flags.label! } })),
  ];
  if (decisions.length > 0 && (flags.interactive || flags.stats || flags.exportOtlp)) throw new CliUsageError('--confirm/--reject/--relabel cannot be combined with --interactive, --stats or --export-otlp');
  const { store, config } = await openCliStore(flags);
  // --below overrides review.below of the config.
  const below = flags.below === undefined ? config.review.below : Number(flags.below);
  try {
    if (!(below > 0 && below <= 1)) throw new CliUsageError(`--below expects a number in (0, 1], got ${JSON.stringify(flags.below)}`);
    const note = flags.note ? { note: flags.note } : {};
    if (decisions.length > 0) decide(store, decisions.map(({ id, decision }) => ({ id, decision: { ...decision, ...note } })), io);
    else if (flags.stats) {
      const rows = agreementByRubric(listReviewItems(store, { ...query({ ...flags, all: true }), status: 'decided' }), below);
      io.stdout.write('evaluation          n  agreement  kappa\n');
      for (const row of rows) io.stdout.write(`${row.evaluation.padEnd(18)} ${String(row.n).padStart(3)}  ${row.agreementRate.toFixed(3).padStart(9)}  ${row.kappa === undefined ? 'n/a (one class)' : row.kappa.toFixed(3)}\n`);
    } else if (flags.exportOtlp) {
      const count = await exportHuman(store, flags.exportOtlp, below);
      io.stdout.write(`wrote ${count} human evaluation result(s) to ${flags.exportOtlp}\n`);
    } else {
      const items = listReviewItems(store, query(flags));
      if (flags.interactive) await interactive(store, items, io);
      else {
        if (items.length > 0) io.stdout.write(`${SUMMARY_HEADER}\n`);
        for (const item of items) io.stdout.write(`${summary(item)}\n`);
        io.stderr.write(`${items.length} item(s)\n`);
      }
    }
    return ExitCode.OK;
  } finally {
    store.close();
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const reviewCommand: CliCommand = {
  name: 'review',
  register(program, io, run) {
    program
      .command('review')
      .description('list the review queue (lowest score first) and record reviewer decisions')
      .option('--store <file>', `the store (default: store.path of --config, $TRACEJUDGE_STORE_PATH, or ${DEFAULT_STORE_PATH})`)
      .option('--config <file>', 'tracejudge config (YAML or JSON): store.path, review.below; flags win')
      .option('--evaluation <name>', 'only this evaluation')
      .option('--stratum <name>', 'only this sampling stratum')
      .option('--cohort <key=value>', 'only this cohort attribute value')
      .option('--since <duration>', 'only conversations recorded in this window (7d, 12h)')
      .option('--all', 'include decided items')
      .option('-i, --interactive', 'step through the queue: confirm, reject or relabel each item with a note')
      .option('--confirm <id>', 'the judge was right (repeatable)', collect, [])
      .option('--reject <id>', 'the judge was wrong (repeatable)', collect, [])
      .option('--relabel <id>', 'give the item another label, with --label (repeatable)', collect, [])
      .option('--label <label>', 'the label for --relabel (e.g. fail, pass)')
      .option('--note <text>', 'the reviewer note, on every decision given')
      .option('--stats', "agreement between judge and reviewers per evaluation (rate and Cohen's kappa)")
      .option('--below <score>', 'score under which the judge counts as "not acceptable" (default review.below, 0.5)')
      .option('--export-otlp <file>', 'append decisions as OTLP/JSON log lines (gen_ai.evaluation.result, source human)')
      .action(async (flags: ReviewFlags) => {
        run.exitCode = await review(flags, io);
      });
  },
};
