import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordConversations, TracejudgeStore } from '../../src/store/index.ts';
import type { ConversationRecord } from '../../src/store/index.ts';
import { conversationRecord } from '../store/support/records.ts';
import { runCli } from './support/cli-process.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

const DAY = 86_400_000;

/**
 * Two periods of 40 judged replies per cohort: shop holds steady (weight 2),
 * food drops by exactly 0.5 (weight 1). Distractors that must not count: a
 * human decision of 0 in shop's current period, and shop scores of 0 older than the window.
 */
function seeded(): { dir: string; store: string } {
  const dir = makeTempDir('tracejudge-drift-');
  const store = join(dir, 'store.db');
  const now = Date.now();
  const records: ConversationRecord[] = [];
  const judged = (score: number, weight: number, vertical: string, ageDays: number, source = 'judge') =>
    records.push(conversationRecord({ recordedAt: now - ageDays * DAY, weight, cohort: { vertical }, scores: [{ name: 'faithfulness', score, source }] }));
  for (let n = 0; n < 40; n++) {
    const score = n % 2 === 0 ? 0.9 : 0.8;
    judged(score, 2, 'shop', 10);
    judged(score, 2, 'shop', 3);
    judged(score, 1, 'food', 10);
    judged(score - 0.5, 1, 'food', 3);
  }
  for (let n = 0; n < 5; n++) judged(0, 2, 'shop', 3, 'human');
  for (let n = 0; n < 20; n++) judged(0, 2, 'shop', 20);
  const opened = TracejudgeStore.open(store);
  recordConversations(opened, records, now);
  opened.close();
  return { dir, store };
}

const rowOf = (stdout: string, cohort: string) => stdout.split('\n').find((line) => new RegExp(`^faithfulness\\s+${cohort.replace('=', '\\=')}\\s`).test(line));

describe('tracejudge drift', () => {
  it('names the cohort that dropped, with the reweighted change and its interval, and not the steady one', async () => {
    const { store } = seeded();
    const result = await runCli(['drift', '--store', store, '--since', '14d']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // previous 0.850 → current 0.350 for food; shop unchanged; overall food counts a third (weights 1 vs 2).
    expect(rowOf(result.stdout, 'vertical=food')).toMatch(/0\.850\s+0\.350\s+-0\.500\s+\[-0\.\d{3}, -0\.\d{3}\]\s+DROPPED$/);
    expect(rowOf(result.stdout, 'vertical=shop')).toMatch(/0\.850\s+0\.850\s+0\.000\s+\[-?0\.\d{3}, 0\.\d{3}\]$/);
    expect(rowOf(result.stdout, 'all')).toMatch(/0\.850\s+0\.683\s+-0\.167/);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('dropped: faithfulness all; faithfulness vertical=food');
  });

  it('a window that holds only steady periods reports no drop; the store can come from --config', async () => {
    const { dir, store } = seeded();
    const config = join(dir, 'tracejudge.yaml');
    writeFileSync(config, `store: { path: ${JSON.stringify(store)} }\n`);
    // 4 days: the last two against the two before: only the earlier period (3 days ago) has data, nothing to compare.
    const result = await runCli(['drift', '--config', config, '--since', '4d']);
    expect(result.stderr).toBe('');
    expect(rowOf(result.stdout, 'vertical=food')).toMatch(/\s0\.350\s+-\s+-\s*$/);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('no cohort dropped significantly');
  });

  it('bad input gets a clear error', async () => {
    const { dir, store } = seeded();
    const short = await runCli(['drift', '--store', store, '--since', '1d']);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('--since must cover two periods of at least a day each, got "1d"');
    expect((await runCli(['drift', '--store', store, '--since', 'fortnight'])).stderr).toContain('--since expects a duration like 7d');
    const missingConfig = await runCli(['drift', '--config', join(dir, 'nope.yaml')]);
    expect(missingConfig.code).toBe(2);
    expect(missingConfig.stderr).toContain('cannot read the file');
  }, 120_000);
});
