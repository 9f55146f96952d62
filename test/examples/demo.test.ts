import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTraceRequestJson } from '../../src/otlp/index.ts';
import type { DecodedSpan } from '../../src/otlp/index.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

interface DemoRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let dir: string;
let run: DemoRun;

/** `npm run demo`'s entry under the Node 24 running vitest, offline (stand-in model and judge), output under a temp dir. */
function runDemo(outDir: string): Promise<DemoRun> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', TRACEJUDGE_DEMO_OUT: outDir };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['examples/demo/run.ts'], { cwd: REPO, env, stdio: 'pipe' });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tracejudge-demo-'));
  run = await runDemo(dir);
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The lines printed for one conversation: its header and the indented lines under it. */
function block(id: string): string[] {
  const lines = run.stdout.split('\n');
  const start = lines.findIndex((line) => line.includes(` ${id} `));
  if (start === -1) return [];
  const out = [lines[start]];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('    ')) break;
    out.push(line);
  }
  return out;
}

describe('npm run demo (stand-in model and judge)', () => {
  it('exits 0 and says the model and the judge are the scripted stand-in', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('the model is a SCRIPTED STAND-IN');
    expect(run.stdout).toContain('The LLM judge is the SCRIPTED STAND-IN too');
  });

  it('flags each hallucinating conversation with the made-up value, samples it on the failed check, and the judge scores it low', () => {
    const expected: Record<string, string> = {
      'demo-clinic-002': 'commitment.time: a las 17:30',
      'demo-salon-001': 'commitment.price: $180',
      'demo-salon-002': 'commitment.price: 35 €',
      'demo-bank-001': 'commitment.refund: $25',
      'demo-ecommerce-002': 'commitment.refund: 139,85 €',
      'demo-it-001': 'commitment.time: 3 PM',
    };
    for (const [id, failure] of Object.entries(expected)) {
      const lines = block(id);
      expect(lines[0], id).toMatch(/^✘ /);
      expect(lines, id).toContain(`    ${failure}`);
      expect(lines.join('\n'), id).toContain('reason check_failed');
      expect(lines.join('\n'), id).toMatch(/judge: faithfulness 0\.00 unfaithful · policy_compliance 0\.25 violation {2}\(events on the held turn span\)/);
    }
  });

  it('shows the escalation trigger, both outlier triggers and grounded conversations judged high', () => {
    expect(block('demo-bank-002').join('\n')).toMatch(/SAMPLED — stratum escalations, rate 1\.000, reason escalation[\s\S]*judge: faithfulness 1\.00 faithful/);
    expect(block('demo-outlier-slow').join('\n')).toContain('reason latency_outlier');
    expect(block('demo-outlier-tokens').join('\n')).toContain('reason token_outlier');
    expect(block('demo-clinic-001')[0]).toMatch(/^✔ .*all grounded/);
  });

  it('prints the stratum table, judge calls and cost against the budget, and where the spans went', () => {
    expect(run.stdout).toMatch(/stratum\s+sampled\/seen/);
    for (const stratum of ['routine', 'tool_calls', 'escalations', 'non_english']) expect(run.stdout).toMatch(new RegExp(`\\n  ${stratum}\\s+\\d+/\\d+`));
    expect(run.stdout).toMatch(/Judge \(the scripted stand-in judge\): \d+ results \(0 errors\), \d+ low scores/);
    expect(run.stdout).toMatch(/Judge cost: \$\d+\.\d{4} — [\d.]+% of the \$1\/hour ceiling/);
    expect(run.stdout).toContain(`written to ${join(dir, 'demo-traces.jsonl')}`);
  });

  it('writes the spans with check and judge evaluation events, and the low scores to the review queue', async () => {
    const spans: DecodedSpan[] = (await readFile(join(dir, 'demo-traces.jsonl'), 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .flatMap((line) => decodeTraceRequestJson(line).spans);
    const events = spans.flatMap((span) => span.events.filter((event) => event.name === 'gen_ai.evaluation.result').map((event) => ({ span, attributes: event.attributes })));
    const failedPrice = events.find((event) => event.attributes['gen_ai.evaluation.name'] === 'commitment.price' && event.attributes['gen_ai.evaluation.score.label'] === 'fail');
    expect(failedPrice?.attributes['tracejudge.ungrounded_values']).toEqual(['$180']);
    const judged = events.filter((event) => event.attributes['tracejudge.evaluation.source'] === 'judge');
    expect(judged.length).toBeGreaterThanOrEqual(12);
    const unfaithful = judged.find((event) => event.span.attributes['gen_ai.conversation.id'] === 'demo-it-001' && event.attributes['gen_ai.evaluation.name'] === 'faithfulness')!;
    expect(unfaithful.attributes['gen_ai.evaluation.score.label']).toBe('unfaithful');
    expect(unfaithful.span.name).toMatch(/^invoke_agent /);
    // The conversation was sampled at its first turn (the failed check); every turn span carries its own decision.
    const turns = spans.filter((span) => span.name.startsWith('invoke_agent') && span.attributes['gen_ai.conversation.id'] === 'demo-it-001');
    expect(turns.map((span) => span.attributes['tracejudge.sampling.reason'])).toContain('check_failed');
    const review = (await readFile(join(dir, 'review-queue.jsonl'), 'utf8')).split('\n').filter((line) => line !== '');
    expect(review.some((line) => line.includes('demo-it-001') && line.includes('faithfulness'))).toBe(true);
  });
});

describe('npm run demo: the store and the loop', () => {
  it('fills the embedded store: every evaluated reply with its stratum, cohort and user turns; the hallucinations queued for review', async () => {
    const { listConversations, listReviewItems, TracejudgeStore } = await import('../../src/store/index.ts');
    const store = TracejudgeStore.open(join(dir, 'tracejudge.db'));
    try {
      const conversations = listConversations(store);
      // Passing replies too (store.keepPassing): all 52 conversations are there, not only the failures.
      expect(new Set(conversations.map((row) => row.conversationId)).size).toBe(52);
      const judged = conversations.filter((row) => row.scores.some((score) => score.source === 'judge'));
      // The six that made a value up were sampled on their failed check (the rest by stratum, paced by the budget: it varies).
      const hallucinating = ['demo-bank-001', 'demo-clinic-002', 'demo-ecommerce-002', 'demo-it-001', 'demo-salon-001', 'demo-salon-002'];
      for (const id of hallucinating) expect(judged.map((row) => row.conversationId), id).toContain(id);
      for (const row of judged) {
        expect(row.stratum, row.conversationId).not.toBe('unsampled');
        expect(row.cohort['app.vertical'], row.conversationId).toBeDefined();
        expect(row.userMessages.length, row.conversationId).toBeGreaterThan(0);
      }
      const failedRefund = conversations.find((row) => row.conversationId === 'demo-ecommerce-002' && row.scores.some((score) => score.name === 'commitment.refund' && score.label === 'fail'))!;
      // A failed check keeps every user turn so far, not only its own.
      expect(failedRefund.userMessages.length).toBe(2);
      const items = listReviewItems(store, { status: 'decided' });
      expect(items.some((item) => item.conversationId === 'demo-salon-001' && item.status === 'confirmed')).toBe(true);
    } finally {
      store.close();
    }
  });

  it('runs the loop: harvest → scripted review → dataset rows → the live agent fails the gate against the fixed release, which passes against itself', async () => {
    const loop = run.stdout.slice(run.stdout.indexOf('The loop, on the store'));
    expect(loop).toMatch(/\$ tracejudge harvest --lowest 24 --dataset regressions {3}→ queued \d+ new review item\(s\) of the 24 weakest/);
    const reviewed = /scripted reviewer: (\d+) confirmed \(a made-up value stated\), (\d+) rejected/.exec(loop);
    expect(Number(reviewed?.[1])).toBeGreaterThanOrEqual(6);
    expect(Number(reviewed?.[2])).toBeGreaterThan(0);
    expect(loop).toMatch(/harvest --apply --dataset regressions {3}→ added 6 row\(s\) to regressions/);
    expect(loop).toMatch(/regressed-agent\.ts --baseline release-1\.4\.1 --gate "\*: max-drop 1\.5%" {3}→ exit 1\n {4}GATE FAILED: \d+ rule check\(s\) violated/);
    expect(loop).toMatch(/^ {4}FAIL {2}\*: max-drop 1\.5% {2}\* {2}reference\.must_not_contain/m);
    expect(loop).toMatch(/compare release-1\.4\.1 release-1\.4\.1 --gate "\*: max-drop 1\.5%" {3}→ exit 0: GATE PASSED/);
    // The rows the loop added: the six conversations that made a value up, masked, with provenance back to the trace.
    const rows = (await readFile(join(dir, 'datasets', 'regressions.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(rows.map((row) => row.provenance.conversationId).sort()).toEqual(['demo-bank-001', 'demo-clinic-002', 'demo-ecommerce-002', 'demo-it-001', 'demo-salon-001', 'demo-salon-002']);
    expect(rows.every((row) => row.provenance.source === 'harvested' && /^[0-9a-f]{32}$/.test(row.provenance.traceId) && row.tags.vertical)).toBe(true);
    expect(loop).toContain('Try next:');
  });

  it('the commands the demo suggests work on what it produced', async () => {
    const { runCli } = await import('../cli/support/cli-process.ts');
    const store = join(dir, 'tracejudge.db');
    const review = await runCli(['review', '--store', store, '--all']);
    expect(review.code).toBe(0);
    expect(review.stdout.split('\n')[0]).toMatch(/^\s+id\s+score\s+status/);
    const drift = await runCli(['drift', '--store', store, '--since', '2d']);
    expect(drift.code).toBe(0);
    const coverage = await runCli(['coverage', '--store', store, '--dataset', join(dir, 'datasets', 'regressions.jsonl'), '--since', '1d']);
    expect(coverage.code).toBe(0);
    expect(coverage.stdout).toMatch(/^coverage of regressions \(version [0-9a-f]{16}\) over 52 live conversation\(s\): /);
  }, 60_000);
});
