import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PiiMasker } from '../../src/privacy/index.ts';
import { listReviewItems, StoreResultSink, TracejudgeStore } from '../../src/store/index.ts';
import { runCli } from '../cli/support/cli-process.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

/** A store with three low-scored conversations (PII in them, masked by the sink) and one good one. */
function seededStore(): { dir: string; path: string } {
  const dir = makeTempDir('tracejudge-review-');
  const path = join(dir, 'store.db');
  const store = TracejudgeStore.open(path);
  const sink = new StoreResultSink(store, { masker: new PiiMasker(), flushDelayMs: 60_000 });
  const say = (n: number, text: string, score: number, name = 'faithfulness') =>
    sink.write([{ name, score, label: score < 0.5 ? 'fail' : 'pass', source: name.startsWith('commitment') ? 'deterministic' : 'judge', ...(name.startsWith('commitment') ? { details: { ungrounded_values: ['$30.00'] } } : {}) }], {
      conversationId: `conv-${n}`, traceId: `trace${n}`.padEnd(32, '0'), spanId: `span${n}`.padEnd(16, '0'),
      conversation: { userMessages: [text], transcript: [{ role: 'user', text }, { role: 'assistant', text: 'That is $30.00.' }], cohort: { 'app.vertical': n % 2 ? 'food' : 'shop' }, stratum: 'routine', weight: 10 },
    });
  say(1, 'How much is the deposit? I am ana@example.com', 0, 'commitment.price');
  say(2, 'Can I get a refund for order 7731-2290? Card 4111 1111 1111 1111', 0.1);
  say(3, 'Is the terrace open at 14:30?', 0.3);
  say(4, 'Thanks, all good', 0.9);
  sink.flush();
  store.close();
  return { dir, path };
}

describe('tracejudge review / harvest', () => {
  // Each test runs the CLI as several child processes (~2 s each on a loaded 2-core machine): the
  // first one took 27 s of the default 30 s, so these carry their own timeout.
  it('harvests the weakest, takes scripted decisions, applies two rows without PII, deduplicated', async () => {
    const { dir, path } = seededStore();
    const datasets = join(dir, 'datasets');
    const harvested = await runCli(['harvest', '--store', path, '--lowest', '3', '--since', '7d', '--dataset', 'regressions', '--datasets-dir', datasets]);
    expect(harvested.stderr).toBe('');
    expect(harvested.stdout).toBe('queued 3 new review item(s) of the 3 weakest\n');

    const listed = await runCli(['review', '--store', path]);
    const [header, ...lines] = listed.stdout.trim().split('\n');
    expect(header!.trim().split(/\s{2,}|\s(?=[a-z])/).filter(Boolean)).toEqual(['id', 'score', 'status', 'evaluation', 'stratum', 'cohort', 'first', 'user', 'message']);
    const ids = lines.map((line) => Number(line.trim().split(/\s+/)[0]));
    expect(ids).toHaveLength(3);
    expect(lines[2]).toContain('0.300');

    expect((await runCli(['review', '--store', path, '--confirm', String(ids[0]), '--note', 'price was invented'])).stdout).toBe(`review item ${ids[0]}: confirmed\n`);
    expect((await runCli(['review', '--store', path, '--relabel', String(ids[1]), '--label', 'fail'])).stdout).toBe(`review item ${ids[1]}: relabelled as fail\n`);
    expect((await runCli(['review', '--store', path, '--reject', String(ids[2]), '--note', 'reply was fine'])).code).toBe(0);

    const applied = await runCli(['harvest', '--store', path, '--apply', '--dataset', 'regressions', '--datasets-dir', datasets]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toMatch(/^added 2 row\(s\) to regressions/);
    const file = readFileSync(join(datasets, 'regressions.jsonl'), 'utf8');
    const rows = file.trim().split('\n').map((line) => JSON.parse(line));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      input: 'How much is the deposit? I am <EMAIL_1>',
      reference: { mustNotContain: ['$30.00'] },
      // The dataset's tag names: app.vertical → vertical, so tag:vertical=* gates and row.tags.vertical see it.
      tags: { vertical: 'food', evaluation: 'commitment.price' },
      provenance: { source: 'harvested', traceId: 'trace1'.padEnd(32, '0'), spanId: 'span1'.padEnd(16, '0'), conversationId: 'conv-1', reviewItemId: ids[0] },
    });
    expect(Date.parse(rows[0].provenance.addedAt)).not.toBeNaN();
    expect(rows[0].metadata.review).toMatchObject({ evaluation: 'commitment.price', note: 'price was invented' });
    expect(file).not.toMatch(/ana@example\.com|4111 1111/);
    expect(file).toContain('7731-2290');

    // Applying again adds nothing: both items are applied, and their inputs are in the dataset.
    expect((await runCli(['harvest', '--store', path, '--apply', '--dataset', 'regressions', '--datasets-dir', datasets])).stdout).toMatch(/^nothing to add/);

    const stats = await runCli(['review', '--store', path, '--stats']);
    expect(stats.stdout).toMatch(/commitment\.price\s+1\s+1\.000/);
    expect(stats.stdout).toMatch(/faithfulness\s+2\s+0\.500/);

    const otlp = join(dir, 'human.jsonl');
    expect((await runCli(['review', '--store', path, '--export-otlp', otlp])).stdout).toBe(`wrote 3 human evaluation result(s) to ${otlp}\n`);
    const record = JSON.parse(readFileSync(otlp, 'utf8').split('\n')[0]!).resourceLogs[0].scopeLogs[0].logRecords[0];
    expect(record.eventName).toBe('gen_ai.evaluation.result');
    expect(record.attributes).toContainEqual({ key: 'tracejudge.evaluation.source', value: { stringValue: 'human' } });
  }, 120_000);

  it('refuses to apply when the dataset changed since the items were read, appending nothing', async () => {
    const { dir, path } = seededStore();
    const datasets = join(dir, 'datasets');
    await runCli(['harvest', '--store', path, '--lowest', '1', '--dataset', 'regressions', '--datasets-dir', datasets]);
    const store = TracejudgeStore.open(path);
    const [item] = listReviewItems(store);
    store.close();
    await runCli(['review', '--store', path, '--confirm', String(item!.id)]);
    mkdirSync(datasets, { recursive: true });
    const foreign = `${JSON.stringify({ id: 'hand-1', input: 'hello' })}\n`;
    appendFileSync(join(datasets, 'regressions.jsonl'), foreign);
    const refused = await runCli(['harvest', '--store', path, '--apply', '--dataset', 'regressions', '--datasets-dir', datasets]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`dataset regressions changed since review item(s) ${item!.id} were read`);
    expect(readFileSync(join(datasets, 'regressions.jsonl'), 'utf8')).toBe(foreign);
  }, 120_000);

  it('interactive review over piped stdin: confirm with a note, reject, then quit', async () => {
    const { path } = seededStore();
    await runCli(['harvest', '--store', path, '--lowest', '3']);
    const session = await runCli(['review', '--store', path, '--interactive'], { stdin: 'x\nc\nlooks right\nr\n\nq\n' });
    expect(session.code).toBe(0);
    expect(session.stdout).toContain('unknown choice "x"');
    const store = TracejudgeStore.open(path);
    const items = listReviewItems(store, { status: undefined });
    store.close();
    expect(items.map((entry) => [entry.status, entry.note])).toEqual([
      ['confirmed', 'looks right'],
      ['rejected', undefined],
      ['pending', undefined],
    ]);
  }, 120_000);

  it('bad flags get clear errors', async () => {
    const { path } = seededStore();
    expect((await runCli(['review', '--store', path, '--confirm', 'abc'])).stderr).toContain('--confirm expects a review item id (a number), got "abc"');
    expect((await runCli(['review', '--store', path, '--confirm', '999'])).stderr).toContain('review item 999 does not exist');
    expect((await runCli(['review', '--store', path, '--relabel', '1'])).stderr).toContain('--relabel ID needs --label');
    expect((await runCli(['harvest', '--store', path, '--lowest', '3', '--since', 'soon'])).stderr).toContain('--since expects a duration like 7d');
    expect((await runCli(['harvest', '--store', path, '--apply'])).stderr).toContain('--apply needs --dataset NAME');
  }, 120_000);
});
