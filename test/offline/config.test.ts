import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatCompletion, startOpenAITestServer, type OpenAITestServer } from '../support/openai-test-server.ts';
import { ConfigError, parseConfig } from '../../src/config/index.ts';
import { ExperimentsStore } from '../../src/store/experiments-store.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

function issuesOf(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(yaml, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('offline config section', () => {
  it('has defaults, parses durations and gate rules, and TRACEJUDGE_OFFLINE_* variables override the file', () => {
    expect(parseConfig('', { env: {} }).offline).toEqual({ concurrency: 4, repetitions: 1, timeout: 60_000, gate: [], gateAdjust: 'holm', store: '.tracejudge/tracejudge.db' });
    const yaml = 'offline:\n  concurrency: 2\n  repetitions: 3\n  timeout: 90s\n  gate: ["*: max-drop 1.5%", "latency.p95: max-increase 20%"]\n  store: runs/exp.db\n';
    expect(parseConfig(yaml, { env: {} }).offline).toEqual({ concurrency: 2, repetitions: 3, timeout: 90_000, gate: ['*: max-drop 1.5%', 'latency.p95: max-increase 20%'], gateAdjust: 'holm', store: 'runs/exp.db' });
    const fromEnv = parseConfig(yaml, { env: { TRACEJUDGE_OFFLINE_CONCURRENCY: '8', TRACEJUDGE_OFFLINE_GATE: '*: max-drop 1%; tag:vertical=*: max-drop 2%' } }).offline;
    expect(fromEnv).toMatchObject({ concurrency: 8, gate: ['*: max-drop 1%', 'tag:vertical=*: max-drop 2%'] });
    expect(parseConfig('offline:\n  gateAdjust: bh\n', { env: {} }).offline.gateAdjust).toBe('bh');
    expect(parseConfig('', { env: { TRACEJUDGE_OFFLINE_GATE_ADJUST: 'none' } }).offline.gateAdjust).toBe('none');
    expect(issuesOf('offline:\n  gateAdjust: bonferroni\n')).toEqual(['offline.gateAdjust: expected holm, bh or none, got "bonferroni"']);
  });

  it('names each bad field and value', () => {
    expect(issuesOf('offline:\n  concurrency: lots\n  repetitions: 0\n  timeout: soon\n  gate: 7\n  store: ""\n  colour: blue\n')).toEqual([
      'offline.concurrency: expected a positive integer, got "lots"',
      'offline.repetitions: expected a positive integer, got 0',
      'offline.timeout: expected a duration like "5m", "30s", "250ms" or a number of milliseconds, got "soon"',
      'offline.gate: expected a list of gate rules, e.g. ["*: max-drop 1.5%", "latency.p95: max-increase 20%"], got 7',
      'offline.store: expected a non-empty string, got ""',
      'offline.colour: unknown key',
    ]);
    expect(issuesOf('offline:\n  timeout: 0\n')).toEqual(['offline.timeout: expected a duration above 0, got 0']);
  });
});

const run = promisify(execFile);
const MAIN = resolve(import.meta.dirname, '../../src/cli/main.ts');
const dir = makeTempDir('tj-offline-config-');
let server: OpenAITestServer;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { cwd: dir, env: { ...process.env, CI: 'true', OPENAI_API_KEY: 'test-key' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('tracejudge eval --config (child process)', () => {
  const agent = join(dir, 'agent.mjs');
  const data = join(dir, 'rows.jsonl');
  const config = (extra: string) => {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(path, `judge:\n  model: judge-model\n  baseURL: ${server.baseURL}\n  maxRetries: 0\n  rubrics: [correctness]\noffline:\n  store: configured.db\n${extra}`);
    return path;
  };

  beforeAll(async () => {
    server = await startOpenAITestServer((request) => {
      if (String(request.body?.messages?.[0]?.content).includes('CANDIDATE answer')) return { json: chatCompletion('{"equivalent": true}') };
      return { json: chatCompletion(JSON.stringify({ reasoning: 'fine', score: 5, label: 'correct' })) };
    });
    writeFileSync(agent, 'export async function agent(input) { return `answer to ${input}`; }\n');
    writeFileSync(data, ['{"id":"a","input":"q1","reference":{"answer":"answer to q1"}}', '{"id":"b","input":"q2"}'].join('\n') + '\n');
  });
  afterAll(async () => {
    await server.close();
  });

  it('runs the configured judge on every row into the configured store; flags override the file', async () => {
    const file = config('  concurrency: 1\n');
    const result = await cli('eval', '--agent', agent, '--dataset', data, '--experiment', 'one', '--config', file);
    expect(result.stderr).toContain('experiment "one" finished: 2 run(s)');
    expect(result.code).toBe(0);
    const store = new ExperimentsStore(join(dir, 'configured.db'));
    try {
      const runs = store.loadRuns('one');
      expect(runs.map((r) => r.results.find((x) => x.evaluator === 'correctness')?.score)).toEqual([1, 1]);
      expect(runs.find((r) => r.rowId === 'a')?.results.find((x) => x.evaluator === 'reference.semantic_equivalence')).toMatchObject({ label: 'pass' });
    } finally {
      store.close();
    }
    const elsewhere = await cli('eval', '--agent', agent, '--dataset', data, '--experiment', 'two', '--config', file, '--store', 'flag.db');
    expect(elsewhere.code).toBe(0);
    const flagged = new ExperimentsStore(join(dir, 'flag.db'));
    expect(flagged.getExperiment('two')).toBeDefined();
    flagged.close();
  }, 60_000);

  it('stores what each judgment cost with its result and says the total; a model without a price is named, not counted', async () => {
    const priced = join(dir, 'priced.yaml');
    writeFileSync(priced, `judge:\n  model: judge-model\n  baseURL: ${server.baseURL}\n  maxRetries: 0\n  rubrics: [correctness]\n  prices:\n    judge-model: { input: 1000, output: 4000 }\noffline:\n  store: priced.db\n  concurrency: 1\n`);
    const result = await cli('eval', '--agent', agent, '--dataset', data, '--experiment', 'priced', '--config', priced);
    expect(result.code).toBe(0);
    // The test server reports 10 input + 5 output tokens per call: (10 × 1000 + 5 × 4000) / 1e6 = $0.03 a judgment;
    // two rubric judgments and one semantic-equivalence check (only row a has a reference answer).
    expect(result.stderr).toContain('eval: judge cost $0.0900 for 3 priced judgment(s) stored with the experiment; this run sent 30 input + 15 output tokens\n');
    const store = new ExperimentsStore(join(dir, 'priced.db'));
    try {
      const costs = store.loadRuns('priced').map((run) => run.results.find((x) => x.evaluator === 'correctness')?.costUsd);
      expect(costs).toEqual([0.03, 0.03]);
      expect(store.loadRuns('priced').find((run) => run.rowId === 'a')?.results.find((x) => x.evaluator === 'reference.semantic_equivalence')?.costUsd).toBe(0.03);
      // Results no model produced carry no cost.
      expect(store.loadRuns('priced')[0]!.results.find((x) => x.evaluator === 'run.ok')?.costUsd).toBeUndefined();
    } finally {
      store.close();
    }
    const unpriced = await cli('eval', '--agent', agent, '--dataset', data, '--experiment', 'unpriced', '--config', config('  concurrency: 1\n'));
    expect(unpriced.stderr).toContain('eval: judge cost $0.0000 for 0 priced judgment(s)');
    expect(unpriced.stderr).toContain('3 call(s) to a model without a price were not counted (add it under judge.prices)');
  }, 60_000);

  it('config errors are usage errors naming the field; a bad configured gate rule names offline.gate[i]', async () => {
    const bad = await cli('eval', '--agent', agent, '--dataset', data, '--experiment', 'x', '--config', config('  concurrency: lots\n'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/offline\.concurrency: expected a positive integer, got "lots"/);
    const gate = config('  gate: ["*: max-drop 1%", "vertical=x: max-drop"]\n');
    const rule = await cli('eval', '--agent', agent, '--dataset', data, '--experiment', 'y', '--config', gate, '--baseline', 'one');
    expect(rule.code).toBe(2);
    expect(rule.stderr).toMatch(/offline\.gate\[1\]: gate rule "vertical=x: max-drop"/);
    const flag = await cli('eval', '--agent', agent, '--dataset', data, '--experiment', 'z', '--config', config(''), '--concurrency', '0');
    expect(flag.stderr).toMatch(/--concurrency must be a positive integer, got "0"/);
    const timeout = await cli('eval', '--agent', agent, '--dataset', data, '--experiment', 'z', '--config', config(''), '--timeout', 'soon');
    expect(timeout.stderr).toMatch(/--timeout must be a duration above 0 .*got "soon"/);
  }, 60_000);

  it('compare reads offline.gate and offline.store from --config', async () => {
    const file = config('  gate: ["*: max-drop 1.5%"]\n');
    const result = await cli('compare', 'one', 'one', '--config', file);
    expect(result.stdout).toContain('GATE PASSED');
    expect(result.code).toBe(0);
  }, 60_000);
});
