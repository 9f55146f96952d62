import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodedSpan } from '../../src/otlp/index.ts';
import { runCli } from './support/cli-process.ts';
import { labels, otlpJsonLine, outputSpans } from './support/turns.ts';

const PRICE = 'commitment.price';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tracejudge-check-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, lines: readonly string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, lines.map((line) => `${line}\n`).join(''));
  return path;
}

const chatOf = (spans: readonly DecodedSpan[]) => spans.filter((span) => span.name.startsWith('chat'));

describe('tracejudge check', () => {
  it('adds a fail event to the span with the hallucinated price and a pass event to the grounded one', async () => {
    const input = await fixture('turns.jsonl', [
      await otlpJsonLine({ conversationId: 'grounded', toolResult: { room: 'suite', price: '$249.00' }, reply: 'The suite is $249.00 per night.', at: 1_750_000_000 }),
      await otlpJsonLine({ conversationId: 'hallucinated', toolResult: { room: 'suite', price: '$249.00' }, reply: 'The suite is $199.00 per night.', at: 1_750_000_100 }),
    ]);
    const out = join(dir, 'turns.out.jsonl');
    const result = await runCli(['check', '--in', input, '--out', out]);
    expect(result.code).toBe(0);

    const [first, second] = outputSpans(await readFile(out, 'utf8'));
    expect(chatOf(first).map(labels)).toEqual([{ [PRICE]: 'pass' }]);
    expect(chatOf(second).map(labels)).toEqual([{ [PRICE]: 'fail' }]);
    // Only the chat span carries the reply: agent and tool spans get no evaluation.
    for (const span of [...first, ...second].filter((s) => !s.name.startsWith('chat'))) expect(labels(span)).toEqual({});
    const failed = chatOf(second)[0].events.find((e) => e.name === 'gen_ai.evaluation.result')!;
    expect(failed.attributes['tracejudge.ungrounded_values']).toEqual(['$199.00']);
    expect(failed.attributes['gen_ai.evaluation.explanation']).toContain('$199.00');

    expect(result.stderr).toContain('2 lines (2 accepted, 0 rejected), 6 spans accepted, 0 rejected; 2 replies checked');
    expect(result.stderr).toMatch(/commitment\.price\s+1 fail, 1 pass/);
    expect(result.stderr).toMatch(/top ungrounded values:\n\s+1 {2}commitment\.price {2}"\$199\.00"/);
  });

  it('grounds a reply in a tool result from an earlier line of the same conversation', async () => {
    const input = await fixture('conversation.jsonl', [
      await otlpJsonLine({ conversationId: 'conv-42', toolResult: { plan: 'Pro', price: '$129.00' }, reply: 'Let me check that for you.', at: 1_750_000_000 }),
      await otlpJsonLine({ conversationId: 'conv-42', reply: 'The Pro plan is $129.00 a month.', at: 1_750_000_060 }),
      // The same reply in another conversation has nothing to stand on.
      await otlpJsonLine({ conversationId: 'conv-43', reply: 'The Pro plan is $129.00 a month.', at: 1_750_000_061 }),
    ]);
    const out = join(dir, 'conversation.out.jsonl');
    const result = await runCli(['check', '--in', input, '--out', out]);
    expect(result.code).toBe(0);
    const lines = outputSpans(await readFile(out, 'utf8'));
    expect(lines).toHaveLength(3);
    expect(chatOf(lines[1]).map(labels)).toEqual([{ [PRICE]: 'pass' }]);
    expect(chatOf(lines[2]).map(labels)).toEqual([{ [PRICE]: 'fail' }]);
  });

  it('reports a malformed line with its number, keeps the other lines, exits 2', async () => {
    const good1 = await otlpJsonLine({ conversationId: 'a', toolResult: { price: '$10.00' }, reply: 'That is $10.00.', at: 1_750_000_000 });
    const good2 = await otlpJsonLine({ conversationId: 'b', toolResult: { price: '$20.00' }, reply: 'That is $25.00.', at: 1_750_000_010 });
    const badId = good2.replace(/"traceId":"[0-9a-f]{32}"/, '"traceId":"xyz"');
    const input = await fixture('malformed.jsonl', [good1, '{"resourceSpans": [', good2, badId]);
    const out = join(dir, 'malformed.out.jsonl');
    const summaryPath = join(dir, 'malformed.summary.json');
    const result = await runCli(['check', '--in', input, '--out', out, '--summary-json', summaryPath]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^line 2: not valid JSON: /m);
    expect(result.stderr).toMatch(/^line 4: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[\d\]\.traceId: expected 32 hex characters, got "xyz"$/m);
    const lines = outputSpans(await readFile(out, 'utf8'));
    // Lines 1, 3 and 4 (the two spans of line 4 with good ids) are written; line 2 cannot be.
    expect(lines.map((spans) => spans.length)).toEqual([3, 3, 2]);
    expect(chatOf(lines[1]).map(labels)).toEqual([{ [PRICE]: 'fail' }]);

    const summary = JSON.parse(await readFile(summaryPath, 'utf8'));
    expect(summary.lines).toEqual({ read: 4, accepted: 3, rejected: 1 });
    expect(summary.spans).toEqual({ accepted: 8, rejected: 1 });
    expect(summary.failuresByCheck).toEqual({ [PRICE]: 1 });
    expect(summary.topUngroundedValues).toEqual([{ check: PRICE, value: '$25.00', count: 1, overestimate: 0 }]);
    expect(summary.rejections).toHaveLength(2);
  });

  it('reads stdin and writes stdout with "-"', async () => {
    const line = await otlpJsonLine({ conversationId: 'pipe', toolResult: { price: '$5.00' }, reply: 'Only $4.00 today.', at: 1_750_000_000 });
    const result = await runCli(['check', '--in', '-', '--out', '-'], { stdin: `${line}\n\n${line}` });
    expect(result.code).toBe(0);
    const lines = outputSpans(result.stdout);
    expect(lines).toHaveLength(2);
    expect(chatOf(lines[0]).map(labels)).toEqual([{ [PRICE]: 'fail' }]);
    expect(result.stderr).toContain('2 lines (2 accepted, 0 rejected)');
  });

  it('runs through the bin shim as installed', async () => {
    const line = await otlpJsonLine({ conversationId: 'bin', toolResult: { price: '$5.00' }, reply: 'It is $5.00.', at: 1_750_000_000 });
    const result = await runCli(['check', '--in', '-', '--out', '-'], { stdin: line, entry: 'bin/tracejudge.js' });
    expect(result.code).toBe(0);
    expect(chatOf(outputSpans(result.stdout)[0]).map(labels)).toEqual([{ [PRICE]: 'pass' }]);
  });
});

describe('tracejudge check: usage and config errors exit 2', () => {
  it('a missing input file', async () => {
    const result = await runCli(['check', '--in', join(dir, 'nope.jsonl'), '--out', '-']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot read --in ${join(dir, 'nope.jsonl')}: ENOENT`);
  });

  it('a missing required option', async () => {
    const result = await runCli(['check', '--in', '-']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--out <file>' not specified");
  });

  it('the same file as input and output', async () => {
    const input = await fixture('same.jsonl', ['{}']);
    const result = await runCli(['check', '--in', input, '--out', input]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--in and --out are the same file');
    expect(await readFile(input, 'utf8')).toBe('{}\n');
  });

  it('an invalid config names the field', async () => {
    const config = join(dir, 'bad.yaml');
    await writeFile(config, 'conversations:\n  maxOpen: -3\n');
    const result = await runCli(['check', '--in', '-', '--out', '-', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid config .*bad\.yaml: conversations\.maxOpen/);
  });

  it('an unknown subcommand', async () => {
    const result = await runCli(['chekc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'chekc'");
  });
});
