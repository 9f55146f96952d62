import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/cli/check/lines.ts';
import { runCheck } from '../../src/cli/check/run-check.ts';
import { TopValues } from '../../src/cli/check/top-values.ts';
import { otlpJsonLine } from './support/turns.ts';

async function collect(stream: PassThrough): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('readLines', () => {
  it('splits across chunk boundaries, strips \\r, keeps a last line without newline', async () => {
    const lines = [];
    for await (const line of readLines(Readable.from([Buffer.from('ab'), Buffer.from('c\r\nd'), Buffer.from('e\n\nf')]), 100)) lines.push(line);
    expect(lines).toEqual([
      { number: 1, text: 'abc' },
      { number: 2, text: 'de' },
      { number: 3, text: '' },
      { number: 4, text: 'f' },
    ]);
  });

  it('skips a line past the bound without holding it, and goes on', async () => {
    const lines = [];
    const chunks = [Buffer.from('ok\n'), Buffer.alloc(40, 0x61), Buffer.alloc(40, 0x62), Buffer.from('\nnext\n')];
    for await (const line of readLines(Readable.from(chunks), 50)) lines.push(line);
    expect(lines).toEqual([
      { number: 1, text: 'ok' },
      { number: 2, tooLongBytes: 80 },
      { number: 3, text: 'next' },
    ]);
  });
});

describe('runCheck', () => {
  it('reports a line over the length bound by number and processes the rest', async () => {
    const line = await otlpJsonLine({ conversationId: 'c', toolResult: { price: '$1.00' }, reply: 'It is $1.00.', at: 1_750_000_000 });
    const output = new PassThrough();
    const diagnostics = new PassThrough();
    const written = collect(output);
    const reported = collect(diagnostics);
    const summary = await runCheck({
      input: Readable.from([`${line}\n${'x'.repeat(line.length + 10)}\n${line}\n`]),
      output,
      diagnostics,
      maxLineBytes: line.length + 5,
    });
    output.end();
    diagnostics.end();
    expect((await written).split('\n').filter(Boolean)).toHaveLength(2);
    expect(await reported).toBe(`line 2: longer than the ${line.length + 5}-byte limit (${line.length + 10} bytes); skipped\n`);
    expect(summary.lines).toEqual({ read: 3, accepted: 2, rejected: 1 });
    // The same reply in the same trace is checked once (line 3 repeats line 1's spans).
    expect(summary.repliesChecked).toBe(1);
  });
});

describe('TopValues (Space-Saving)', () => {
  it('is exact below capacity', () => {
    const top = new TopValues(10);
    for (const value of ['a', 'b', 'a', 'c', 'a', 'b']) top.add(value);
    expect(top.top(2)).toEqual([
      { value: 'a', count: 3, overestimate: 0 },
      { value: 'b', count: 2, overestimate: 0 },
    ]);
  });

  it('keeps a frequent value in bounded memory among many rare ones, and says when a count is approximate', () => {
    const top = new TopValues(5);
    for (let i = 0; i < 1000; i++) {
      top.add('$199.00');
      top.add(`rare-${i}`);
    }
    const [first, second] = top.top(2);
    expect(first).toEqual({ value: '$199.00', count: 1000, overestimate: 0 });
    expect(second.overestimate).toBeGreaterThan(0);
  });
});

describe('runCheck over spans that were already evaluated', () => {
  it('replaces earlier deterministic results instead of doubling them; a second run gives the same output', async () => {
    const line = await otlpJsonLine({ conversationId: 'again', toolResult: { price: '$9.00' }, reply: 'It is $8.00.', at: 1_750_000_000 });
    const once = async (input: string) => {
      const output = new PassThrough();
      const written = collect(output);
      const summary = await runCheck({ input: Readable.from([input]), output, diagnostics: new PassThrough() });
      output.end();
      return { text: await written, summary };
    };
    const first = await once(line);
    const second = await once(first.text);
    expect(first.summary.earlierResultsReplaced).toBe(0);
    expect(second.summary.earlierResultsReplaced).toBe(1);
    expect(second.text).toBe(first.text);
    expect(second.text.match(/gen_ai\.evaluation\.result/g)).toHaveLength(1);
  });
});
