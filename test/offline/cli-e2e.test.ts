import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const GOLDEN = join(ROOT, 'examples/offline/golden.jsonl');
const dir = makeTempDir('tj-cli-');
const store = join(dir, 'tracejudge.db');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { cwd: dir, env: { ...process.env, CI: 'true' }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('tracejudge eval / compare (child process, example agent)', () => {
  beforeAll(async () => {
    const base = await cli('eval', '--agent', join(ROOT, 'examples/offline/agent.ts'), '--dataset', GOLDEN, '--experiment', 'base', '--store', store);
    expect(base.stderr).toContain('experiment "base" finished: 52 run(s)');
    expect(base.code).toBe(0);
  }, 120_000);

  it('the regressed agent fails the gate on vertical=salon and nothing else', async () => {
    const html = join(dir, 'report.html');
    const md = join(dir, 'report.md');
    const result = await cli('eval', '--agent', join(ROOT, 'examples/offline/agent-regressed.ts'), '--dataset', GOLDEN, '--experiment', 'regressed',
      '--baseline', 'base', '--gate', 'tag:vertical=*: max-drop 1.5%', '--report', 'html', html, '--report', 'md', md, '--store', store);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('GATE FAILED');
    const failed = result.stdout.split('\n').filter((line) => line.startsWith('FAIL'));
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((line) => line.includes('vertical=salon'))).toBe(true);
    expect(readFileSync(md, 'utf8')).toContain('**Gate failed**');
    const page = readFileSync(html, 'utf8');
    // The gate's limit is drawn, and the worst group comes first in each evaluator's plot.
    expect(page).toContain('>gate -1.5</text>');
    const firstGroup = /aria-label="deltas for commitment\.price">[\s\S]*?<text x="\d+" y="\d+" text-anchor="end"[^>]*>([^<]+)</.exec(page);
    expect(firstGroup?.[1]).toBe('vertical=salon ✗ gate (11)');
    // What changed leads the terminal output; unchanged groups are folded into a line per evaluator.
    expect(result.stdout).toMatch(/^changed: \d+ regressed, 0 improved/m);
    expect(result.stdout).toMatch(/^unchanged \(--verbose for every group\):\n  commitment\.price: /m);
  }, 120_000);

  it('the same agent passes the gate against itself (exit 0)', async () => {
    const result = await cli('compare', 'base', 'base', '--gate', '*: max-drop 1.5%', '--gate', 'tag:vertical=*: max-drop 1.5%', '--store', store);
    expect(result.stdout).toContain('GATE PASSED');
    expect(result.code).toBe(0);
  });

  it('a baseline that does not exist is a clear usage error before anything runs', async () => {
    const result = await cli('eval', '--agent', join(ROOT, 'examples/offline/agent.ts'), '--dataset', GOLDEN, '--experiment', 'x', '--baseline', 'nope', '--store', store);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/baseline experiment "nope" does not exist .*known: base/);
  });

  it('refuses different dataset versions unless --shared-rows', async () => {
    const smaller = join(dir, 'golden.jsonl');
    writeFileSync(smaller, readFileSync(GOLDEN, 'utf8').split('\n').slice(0, 12).join('\n') + '\n');
    const small = await cli('eval', '--agent', join(ROOT, 'examples/offline/agent.ts'), '--dataset', smaller, '--experiment', 'small', '--store', store);
    expect(small.code).toBe(0);
    const refused = await cli('compare', 'base', 'small', '--store', store);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/golden@\w+ and "small" on golden@\w+.*--shared-rows/s);
    const shared = await cli('compare', 'base', 'small', '--shared-rows', '--store', store);
    expect(shared.stdout).toContain('12 shared rows');
  }, 120_000);

  it('bad dataset rows and a bad agent module are reported by line / module', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `{"id":"a","input":"x","reference":{"expectedToolCalls":[{"name":3}]}}\n`);
    const rows = await cli('eval', '--agent', join(ROOT, 'examples/offline/agent.ts'), '--dataset', bad, '--experiment', 'b', '--store', store);
    expect(rows.stderr).toContain('line 1: reference.expectedToolCalls[0].name: expected string, got 3');
    const module = join(dir, 'not-an-agent.ts');
    writeFileSync(module, 'export const something = 1;\n');
    const agent = await cli('eval', '--agent', module, '--dataset', GOLDEN, '--experiment', 'c', '--store', store);
    expect(agent.stderr).toMatch(/expected an exported function "agent"/);
    expect(agent.code).toBe(2);
  });

  it('without --baseline: the scores per evaluator and tag on stdout and in --report; an agent that throws is listed and exits 3', async () => {
    const report = join(dir, 'scores.md');
    const module = join(dir, 'flaky-agent.ts');
    writeFileSync(module, `export async function agent(input) {\n  if (String(input).includes('dermatology')) throw new Error('pricing backend down');\n  return 'Sure, happy to help.';\n}\n`);
    const result = await cli('eval', '--agent', module, '--dataset', GOLDEN, '--experiment', 'flaky', '--store', store, '--report', 'md', report);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^eval: 3 run\(s\) of "flaky" failed on 3 row\(s\) \(the agent threw or timed out; run\.ok scores them 0, other evaluators skip them\):$/m);
    expect(result.stderr).toMatch(/^  clinic-en-01: .*pricing backend down$/m);
    expect(result.stdout).toMatch(/^experiment flaky \(golden@[0-9a-f]{16}\), 52 rows$/m);
    expect(result.stdout).toMatch(/^vertical=salon\s+reference\.must_contain\s+11\s+0\.0%\s+0\.0% … 25\.9%$/m);
    expect(result.stdout).toContain('3 run(s) failed (agent threw or timed out)');
    expect(readFileSync(report, 'utf8')).toMatch(/^\| vertical=salon \| reference\.must_contain \| 11 \| 0\.0% \|/m);
    // A clean run without --baseline exits 0 and still prints its scores.
    const clean = await cli('eval', '--agent', join(ROOT, 'examples/offline/agent.ts'), '--dataset', GOLDEN, '--experiment', 'clean', '--store', store);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^\*\s+run\.ok\s+52\s+100\.0%/m);
    // A bad --adjust is a usage error.
    const adjust = await cli('compare', 'base', 'clean', '--store', store, '--gate', '*: max-drop 1%', '--adjust', 'bonferroni');
    expect([adjust.code, adjust.stderr]).toEqual([2, expect.stringContaining('--adjust expects holm, bh or none, got "bonferroni"')]);
  }, 120_000);

  it('a dataset stored with `dataset add` has the version of the file it came from: experiments on either compare', async () => {
    const datasets = join(dir, 'datasets');
    const added = await cli('dataset', 'add', 'golden', GOLDEN, '--datasets-dir', datasets);
    expect(added.code).toBe(0);
    const byName = await cli('eval', '--agent', join(ROOT, 'examples/offline/agent.ts'), '--dataset', 'golden', '--datasets-dir', datasets, '--experiment', 'by-name', '--store', store);
    expect(byName.code).toBe(0);
    const compared = await cli('compare', 'base', 'by-name', '--store', store, '--gate', '*: max-drop 1.5%');
    expect(compared.stderr).toBe('');
    expect(compared.stdout).toContain('52 shared rows');
    expect(compared.code).toBe(0);
    // --dir is the alias `dataset` had first; both at once must agree.
    expect((await cli('dataset', 'show', 'golden', '--dir', datasets)).stdout).toMatch(/^version [0-9a-f]{16}, 52 rows$/m);
    const disagree = await cli('dataset', 'list', '--dir', datasets, '--datasets-dir', join(dir, 'elsewhere'));
    expect([disagree.code, disagree.stderr]).toEqual([2, expect.stringContaining('disagree; give one (--dir is an alias)')]);
  }, 120_000);

  it('renders the HTML report in headless Chromium: non-blank, key texts present', async (context) => {
    if (!existsSync('/usr/bin/chromium')) {
      context.skip('skipped: /usr/bin/chromium is absent (apt-get install -y chromium)');
      return;
    }
    // Written by the regressed-agent test above; its absence is a failure, not a reason to skip.
    const html = join(dir, 'report.html');
    expect(existsSync(html)).toBe(true);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      await page.goto(`file://${html}`);
      const text = await page.innerText('body');
      expect(text).toContain('Gate failed');
      expect(text).toContain('vertical=salon');
      expect(await page.locator('svg').count()).toBeGreaterThan(2);
      const png = await page.screenshot({ fullPage: false });
      // Non-blank: a white page's PNG compresses to a few KB; charts and tables do not.
      expect(png.length).toBeGreaterThan(15_000);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
