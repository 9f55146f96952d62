import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordConversations, TracejudgeStore } from '../../src/store/index.ts';
import { conversationRecord } from '../store/support/records.ts';
import { runCli } from './support/cli-process.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

const DAY = 86_400_000;

/** Five live first turns in the last week (two near the one dataset row), one older that is outside the window. */
function seeded(): { dir: string; store: string; datasets: string } {
  const dir = makeTempDir('tracejudge-coverage-');
  const store = join(dir, 'store.db');
  const datasets = join(dir, 'datasets');
  mkdirSync(datasets);
  writeFileSync(join(datasets, 'golden.jsonl'), `${JSON.stringify({ id: 'book-1', input: 'I want to book a table for two tonight at eight' })}\n`);
  const now = Date.now();
  const live = (text: string, lang: string, ageMs = DAY) => conversationRecord({ recordedAt: now - ageMs, cohort: { lang }, userMessages: [text, 'and one more thing'] });
  const opened = TracejudgeStore.open(store);
  recordConversations(
    opened,
    [
      live('I want to book a table for two tonight at eight', 'en'),
      live('i want to book a table for two tonight at eight please', 'en'),
      live('my refund for order 7731-2290 never arrived where is it', 'en'),
      live('my refund for order 7731-2290 never arrived where is it now', 'es'),
      live('quiero cancelar mi reserva de mañana por la noche', 'es'),
      live('quiero cancelar mi reserva de mañana por la noche', 'es', 10 * DAY),
    ],
    now,
  );
  opened.close();
  return { dir, store, datasets };
}

describe('tracejudge coverage', () => {
  it('reports the covered share per cohort and the largest uncovered clusters, comparing every user turn of each live conversation', async () => {
    const { store, datasets } = seeded();
    const result = await runCli(['coverage', '--dataset', 'golden', '--datasets-dir', datasets, '--store', store, '--since', '7d', '--threshold', '0.5']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^coverage of golden \(version [0-9a-f]{16}\) over 5 live conversation\(s\): 40\.0%$/);
    expect(lines[1]).toMatch(/^\s+lang=en\s+2\/3\s+66\.7%$/);
    expect(lines[2]).toMatch(/^\s+lang=es\s+0\/2\s+0\.0%$/);
    expect(lines[3]).toBe('largest uncovered clusters:');
    expect(lines[4]).toMatch(/^  2 input\(s\), e\.g\. "my refund for order 7731-2290/);
    expect(lines[5]).toMatch(/^  1 input\(s\), e\.g\. "quiero cancelar/);
  });

  it('a wider window takes the older conversation in; the store can come from --config', async () => {
    const { dir, store, datasets } = seeded();
    const config = join(dir, 'tracejudge.yaml');
    writeFileSync(config, `store:\n  path: ${JSON.stringify(store)}\n`);
    const result = await runCli(['coverage', '--dataset', 'golden', '--datasets-dir', datasets, '--config', config, '--since', '30d']);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toMatch(/over 6 live conversation\(s\): 33\.3%$/);
    expect(result.stdout).toMatch(/^  2 input\(s\), e\.g\. "quiero cancelar/m);
  });

  it('bad input gets a clear error naming the flag, the dataset or the config field', async () => {
    const { dir, store, datasets } = seeded();
    const base = ['coverage', '--datasets-dir', datasets, '--store', store];
    const threshold = await runCli([...base, '--dataset', 'golden', '--threshold', '2']);
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toContain('--threshold expects a number in (0, 1], got "2"');
    expect((await runCli([...base, '--dataset', 'golden', '--since', 'lately'])).stderr).toContain('--since expects a duration like 7d');
    expect((await runCli([...base, '--dataset', 'missing'])).stderr).toMatch(/missing/);
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'store:\n  retention: { maxRows: lots }\n');
    const configured = await runCli(['coverage', '--dataset', 'golden', '--datasets-dir', datasets, '--config', config]);
    expect(configured.code).toBe(2);
    expect(configured.stderr).toContain('store.retention.maxRows');
    const corrupt = join(dir, 'corrupt.db');
    writeFileSync(corrupt, 'this is not a database, it is a text file long enough to have a header');
    const broken = await runCli(['coverage', '--dataset', 'golden', '--datasets-dir', datasets, '--store', corrupt]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`store ${corrupt} is not a tracejudge store or is corrupt`);
  }, 120_000);
});
