import { Writable } from 'node:stream';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';
import { listReviewItems, TracejudgeStore } from '../../../src/store/index.ts';
import type { ReviewItem } from '../../../src/store/index.ts';

/**
 * The demo's last part: the loop, on the store the live part wrote, with the same commands a
 * user types (run in-process, so the whole loop takes seconds): the weakest conversations are
 * harvested into the review queue, a scripted reviewer confirms the ones that state a value
 * the script notes as made up and rejects the rest, the confirmed ones become dataset rows,
 * and the fixed release is gated against the agent that ran live, on those rows.
 */

export interface LoopOptions {
  readonly storePath: string;
  readonly datasetsDir: string;
  /** Values the stand-in model's script notes as made up: what the scripted reviewer confirms. */
  readonly madeUp: readonly string[];
}

export interface LoopOutcome {
  readonly lines: readonly string[];
  readonly confirmed: number;
  readonly rejected: number;
  readonly rowsAdded: number;
  /** Exit codes of the gate runs: the live agent against the fixed release, and the release against itself. */
  readonly gateExitCode: number;
  readonly selfGateExitCode: number;
}

const DATASET = 'regressions';
const GATE = '*: max-drop 1.5%';
/** The weakest replies the harvest considers: more than the failures, so the reviewer also sees some that were fine. */
const HARVEST = 24;

export async function runLoop(options: LoopOptions): Promise<LoopOutcome> {
  const { storePath, datasetsDir } = options;
  const lines: string[] = [];
  const base = ['--store', storePath];
  const data = ['--dataset', DATASET, '--datasets-dir', datasetsDir];

  // Failed checks and low scores were queued as they were written (review.below); the harvest adds the next weakest.
  const harvested = await tracejudge(['harvest', ...base, '--lowest', String(HARVEST), '--since', '1d', ...data]);
  lines.push(`$ tracejudge harvest --lowest ${HARVEST} --dataset ${DATASET}   → ${harvested.stdout.trim()} (failed checks and low scores were queued as they were stored)`);

  const pending = readQueue(storePath);
  const confirm = pending.filter((item) => statesMadeUpValue(item, options.madeUp));
  const reject = pending.filter((item) => !confirm.includes(item));
  if (pending.length > 0) {
    await tracejudge(['review', ...base, ...confirm.flatMap((item) => ['--confirm', String(item.id)]), ...reject.flatMap((item) => ['--reject', String(item.id)]), '--note', 'scripted reviewer (examples/demo/loop/loop.ts)']);
  }
  lines.push(`$ tracejudge review --confirm … --reject …   → scripted reviewer: ${confirm.length} confirmed (a made-up value stated), ${reject.length} rejected`);

  const applied = await tracejudge(['harvest', ...base, '--apply', ...data]);
  lines.push(`$ tracejudge harvest --apply --dataset ${DATASET}   → ${applied.stdout.trim()}`);
  const rowsAdded = Number(/^added (\d+) row/.exec(applied.stdout)?.[1] ?? 0);

  const agents = join(import.meta.dirname);
  const release = await tracejudge(['eval', '--agent', join(agents, 'fixed-agent.ts'), ...data, '--experiment', 'release-1.4.1', ...base]);
  const live = await tracejudge(['eval', '--agent', join(agents, 'regressed-agent.ts'), ...data, '--experiment', 'live-1.4.0', '--baseline', 'release-1.4.1', '--gate', GATE, ...base]);
  const self = await tracejudge(['compare', 'release-1.4.1', 'release-1.4.1', '--gate', GATE, ...base]);
  lines.push(`$ tracejudge eval --agent examples/demo/loop/regressed-agent.ts --baseline release-1.4.1 --gate "${GATE}"   → exit ${live.code}`);
  for (const line of live.stdout.split('\n')) if (/^GATE|^FAIL/.test(line)) lines.push(`    ${line.replace(/\s{2,}/g, '  ')}`);
  lines.push(`$ tracejudge compare release-1.4.1 release-1.4.1 --gate "${GATE}"   → exit ${self.code}: ${self.stdout.split('\n').find((line) => line.startsWith('GATE')) ?? ''}`);
  if (release.code !== 0) lines.push(`  (the release's own run exited ${release.code}: ${release.stderr.trim().split('\n').at(-1)})`);
  return { lines, confirmed: confirm.length, rejected: reject.length, rowsAdded, gateExitCode: live.code, selfGateExitCode: self.code };
}

function readQueue(path: string): ReviewItem[] {
  const store = TracejudgeStore.open(path);
  try {
    return listReviewItems(store, { status: 'pending' });
  } finally {
    store.close();
  }
}

function statesMadeUpValue(item: ReviewItem, madeUp: readonly string[]): boolean {
  const said = item.transcript.filter((line) => line.role === 'assistant').map((line) => line.text);
  return madeUp.some((value) => said.some((text) => text.includes(value)));
}

/** One `tracejudge` command, run in this process with its output captured. */
async function tracejudge(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => new Writable({ write: (chunk, _encoding, done) => (into.push(String(chunk)), done()) });
  const code = await main(['node', 'tracejudge', ...args], { stdin: process.stdin, stdout: sink(out), stderr: sink(err) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
