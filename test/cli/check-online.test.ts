import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DecodedSpan } from '../../src/otlp/index.ts';
import { decodeTraceRequestJson } from '../../src/otlp/index.ts';
import { chatCompletion, startOpenAITestServer } from '../support/openai-test-server.ts';
import type { OpenAITestServer, RecordedRequest, ScriptedReply } from '../support/openai-test-server.ts';
import { REPO } from './support/cli-process.ts';
import type { CliResult } from './support/cli-process.ts';
import { otlpJsonLine, outputSpans } from './support/turns.ts';

let dir: string;
let judge: OpenAITestServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tracejudge-check-online-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await judge?.close();
  judge = undefined;
});

/** The CLI under the same Node 24, with the judge's URL and key only in the environment (config `${JUDGE_URL}`). */
function runCheck(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', 'check', ...args], { cwd: REPO, stdio: 'pipe', env: { PATH: process.env.PATH ?? '', ...env } });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
    child.stdin.end('');
  });
}

/** Faithfulness (1..5): low when the transcript the judge was sent holds the made-up price. */
function faithfulness(request: RecordedRequest, delayMs = 0): ScriptedReply {
  const low = JSON.stringify(request.body).includes('$199.00');
  const content = JSON.stringify({ reasoning: low ? 'The price is not in the tool result.' : 'Matches the tool result.', score: low ? 1 : 5, label: low ? 'unfaithful' : 'faithful' });
  return { json: chatCompletion(content, { usage: { prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050 } }), delayMs };
}

const GROUNDED = 'The suite is $249.00 per night.';
const MADE_UP = 'The suite is $199.00 per night.';
const turn = (conversationId: string, reply: string, at: number) => ({ conversationId, toolResult: { room: 'suite', price: '$249.00' }, reply, at });

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

function config(strata: string, judgeSection: string): string {
  return [
    'sampling:',
    `  strata: ${strata}`,
    '  always: [checkFailed]',
    '  budget: { maxJudgeCostShareOfInference: null }',
    judgeSection,
    '',
  ].join('\n');
}

const JUDGE = (holdMs: string) =>
  ['judge:', '  model: gpt-4.1-mini', '  baseURL: ${JUDGE_URL}', '  rubrics: [faithfulness]', '  maxRetries: 0', '  timeout: 5s', `  holdMs: ${holdMs}`].join('\n');

function judged(span: DecodedSpan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const event of span.events) {
    if (event.name === 'gen_ai.evaluation.result' && event.attributes['tracejudge.evaluation.source'] === 'judge') {
      out[String(event.attributes['gen_ai.evaluation.name'])] = event.attributes['error.type'] ?? event.attributes['gen_ai.evaluation.score.label'];
    }
  }
  return out;
}

const agentOf = (spans: readonly DecodedSpan[]) => spans.find((span) => span.name.startsWith('invoke_agent'))!;

describe('tracejudge check --config (sampling and the judge)', () => {
  it('judges only the conversation a trigger sampled, and its result lands on its turn span in its own line', async () => {
    judge = await startOpenAITestServer((request) => faithfulness(request));
    const input = await write('trigger.jsonl', `${await otlpJsonLine(turn('grounded', GROUNDED, 1_750_000_000))}\n${await otlpJsonLine(turn('made-up', MADE_UP, 1_750_000_100))}\n`);
    const out = join(dir, 'trigger.out.jsonl');
    const summaryJson = join(dir, 'trigger.summary.json');
    const cfg = await write('trigger.yaml', config('[{ name: routine, rate: 0 }]', JUDGE('10s')));
    const result = await runCheck(['--in', input, '--out', out, '--config', cfg, '--summary-json', summaryJson], { JUDGE_URL: judge.baseURL, OPENAI_API_KEY: 'test-key' });
    expect(result.stderr).not.toContain('Error');
    expect(result.code).toBe(0);

    const [first, second] = outputSpans(await readFile(out, 'utf8'));
    expect(agentOf(first).attributes['tracejudge.sampling.sampled']).toBe(false);
    expect(agentOf(first).attributes['tracejudge.sampling.stratum']).toBe('routine');
    expect(judged(agentOf(first))).toEqual({});
    expect(agentOf(second).attributes['tracejudge.sampling.sampled']).toBe(true);
    expect(agentOf(second).attributes['tracejudge.sampling.reason']).toBe('check_failed');
    expect(judged(agentOf(second))).toEqual({ faithfulness: 'unfaithful' });
    expect(judge.requests).toHaveLength(1);
    expect(JSON.stringify(judge.requests[0].body)).toContain('$199.00');

    expect(result.stderr).toMatch(/routine\s+1\/2 turns; conversations: 1 check_failed/);
    expect(result.stderr).toContain('judge gpt-4.1-mini: 1 results (1 ok, 0 error)');
    expect(result.stderr).toContain('low judge scores: 1 faithfulness');
    expect(result.stderr).toContain('routed to review (low scores, failed checks): 1 commitment.price, 1 faithfulness');
    const summary = JSON.parse(await readFile(summaryJson, 'utf8'));
    expect(summary.online.conversationsSampled).toEqual({ routine: { check_failed: 1 } });
    expect(summary.online.judgeCalls).toEqual({ ok: 1, error: 0 });
    expect(summary.online.judgeCostUsd).toBeGreaterThan(0);
    expect(summary.online.lowJudgeScores).toEqual({ faithfulness: 1 });
    expect(summary.online.delivered).toEqual({ spanEvents: 1, childSpans: 0 });
  });

  it('keeps the lines in input order when a conversation continues two lines later; the result goes on its last turn', async () => {
    judge = await startOpenAITestServer((request) => faithfulness(request));
    const lines = [
      await otlpJsonLine(turn('long', GROUNDED, 1_750_000_000)),
      await otlpJsonLine(turn('other', GROUNDED, 1_750_000_010)),
      await otlpJsonLine(turn('long', MADE_UP, 1_750_000_020)),
    ];
    const input = await write('order.jsonl', `${lines.join('\n')}\n`);
    const out = join(dir, 'order.out.jsonl');
    const cfg = await write('order.yaml', config('[{ name: all, rate: 1 }]', JUDGE('10s')));
    const result = await runCheck(['--in', input, '--out', out, '--config', cfg], { JUDGE_URL: judge.baseURL, OPENAI_API_KEY: 'test-key' });
    expect(result.code).toBe(0);

    const output = outputSpans(await readFile(out, 'utf8'));
    expect(output.map((spans) => agentOf(spans).traceId)).toEqual(lines.map((line) => agentOf(decodeTraceRequestJson(line).spans).traceId));
    expect(judged(agentOf(output[0]))).toEqual({}); // not the last turn of its conversation
    expect(judged(agentOf(output[1]))).toEqual({ faithfulness: 'faithful' });
    expect(judged(agentOf(output[2]))).toEqual({ faithfulness: 'unfaithful' });
    expect(judge.requests).toHaveLength(2);
    // The whole conversation went to the judge in one request.
    const longRequest = judge.requests.find((request) => JSON.stringify(request.body).includes('$199.00'))!;
    expect(JSON.stringify(longRequest.body)).toContain('$249.00 per night');
  });

  it('a failing judge (HTTP 500): error results on the spans, every line written, exit 0', async () => {
    judge = await startOpenAITestServer(() => ({ json: { error: { message: 'boom' } }, status: 500 }));
    const input = await write('fail.jsonl', `${await otlpJsonLine(turn('a', GROUNDED, 1_750_000_000))}\n${await otlpJsonLine(turn('b', MADE_UP, 1_750_000_100))}\n`);
    const out = join(dir, 'fail.out.jsonl');
    const summaryJson = join(dir, 'fail.summary.json');
    const cfg = await write('fail.yaml', config('[{ name: all, rate: 1 }]', JUDGE('10s')));
    const result = await runCheck(['--in', input, '--out', out, '--config', cfg, '--summary-json', summaryJson], { JUDGE_URL: judge.baseURL, OPENAI_API_KEY: 'test-key' });
    expect(result.code).toBe(0);

    const output = outputSpans(await readFile(out, 'utf8'));
    expect(output).toHaveLength(2);
    expect(output.flat()).toHaveLength(6);
    for (const spans of output) expect(judged(agentOf(spans))).toEqual({ faithfulness: 'judge_http_500' });
    // The inline checks are unaffected.
    const summary = JSON.parse(await readFile(summaryJson, 'utf8'));
    expect(summary.results['commitment.price']).toEqual({ pass: 1, fail: 1, error: 0 });
    expect(summary.online.judgeCalls).toEqual({ ok: 0, error: 2 });
    expect(summary.online.judgeErrors).toEqual({ judge_http_500: 2 });
    expect(result.stderr).toContain('2 error: 2 judge_http_500');
  });

  it('a result past holdMs goes on an evaluate child span written as an extra line at the end', async () => {
    judge = await startOpenAITestServer((request) => faithfulness(request, 800));
    const input = await write('late.jsonl', `${await otlpJsonLine(turn('slow', MADE_UP, 1_750_000_000))}\n`);
    const out = join(dir, 'late.out.jsonl');
    const cfg = await write('late.yaml', config('[{ name: all, rate: 1 }]', JUDGE('50ms')));
    const result = await runCheck(['--in', input, '--out', out, '--config', cfg], { JUDGE_URL: judge.baseURL, OPENAI_API_KEY: 'test-key' });
    expect(result.code).toBe(0);

    const [line, extra, ...rest] = outputSpans(await readFile(out, 'utf8'));
    expect(rest).toEqual([]);
    expect(line).toHaveLength(3);
    const agent = agentOf(line);
    expect(judged(agent)).toEqual({});
    expect(extra.map((span) => span.name)).toEqual(['evaluate faithfulness']);
    expect(extra[0].traceId).toBe(agent.traceId);
    expect(extra[0].parentSpanId).toBe(agent.spanId);
    expect(extra[0].attributes['gen_ai.conversation.id']).toBe('slow');
    expect(judged(extra[0])).toEqual({ faithfulness: 'unfaithful' });
    expect(result.stderr).toContain('written as 1 extra line(s) at the end of the output');
  });

  it('without a judge section only the decision attributes are added', async () => {
    const input = await write('nojudge.jsonl', `${await otlpJsonLine(turn('x', GROUNDED, 1_750_000_000))}\n`);
    const out = join(dir, 'nojudge.out.jsonl');
    const cfg = await write('nojudge.yaml', config('[{ name: all, rate: 1 }]', ''));
    const result = await runCheck(['--in', input, '--out', out, '--config', cfg], {});
    expect(result.code).toBe(0);
    const [line] = outputSpans(await readFile(out, 'utf8'));
    const agent = agentOf(line);
    expect(agent.attributes['tracejudge.sampling.sampled']).toBe(true);
    expect(agent.attributes['tracejudge.sampling.rate']).toBe(1);
    expect(judged(agent)).toEqual({});
    expect(result.stderr).toContain('judge: none configured (sampling decisions only)');
  });

  it('a judge section naming an unknown rubric is a usage error before the output is created', async () => {
    const input = await write('badjudge.jsonl', `${await otlpJsonLine(turn('x', GROUNDED, 1_750_000_000))}\n`);
    const out = join(dir, 'badjudge.out.jsonl');
    const cfg = await write('badjudge.yaml', config('[{ name: all, rate: 1 }]', JUDGE('1s').replace('[faithfulness]', '[faithfulnes]')));
    const result = await runCheck(['--in', input, '--out', out, '--config', cfg], { JUDGE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'k' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('faithfulnes');
    await expect(access(out)).rejects.toThrow();
  });
});
