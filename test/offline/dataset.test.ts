import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendRows, DatasetError, listDatasets, loadDataset, parseRows } from '../../src/offline/index.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

const row = (id: string, extra: Record<string, unknown> = {}) => ({ id, input: `question ${id}`, tags: { vertical: 'salon' }, ...extra });

describe('dataset rows', () => {
  it('reports a bad row by line and field and keeps the good ones', () => {
    const text = [JSON.stringify(row('a')), '', '{not json', JSON.stringify({ id: 'b', input: 'x', reference: { expectedToolCalls: [{ name: 3 }] } }), JSON.stringify(row('c', { colour: 1 }))].join('\n');
    const { rows, problems } = parseRows(text);
    expect(rows.map((r) => r.id)).toEqual(['a']);
    expect(problems.map((p) => `line ${p.line}: ${p.message}`)).toEqual([
      expect.stringMatching(/^line 3: not JSON/),
      'line 4: reference.expectedToolCalls[0].name: expected string, got 3',
      'line 5: (row): unknown key(s) colour',
    ]);
  });

  it('refuses a duplicate id inside one file, naming the first line', () => {
    const { problems } = parseRows([JSON.stringify(row('a')), JSON.stringify(row('a'))].join('\n'));
    expect(problems).toEqual([{ line: 2, message: 'id: "a" already used on line 1' }]);
  });

  it('accepts a multi-turn script and defaults provenance to hand-written', () => {
    const { rows } = parseRows(JSON.stringify({ id: 'm', input: ['hi', 'price?'] }));
    expect(rows[0].input).toEqual(['hi', 'price?']);
    expect(rows[0].provenance.source).toBe('hand-written');
  });
});

describe('append-only datasets', () => {
  it('changes the version on append and refuses an existing id without touching the file', async () => {
    const dir = makeTempDir('tj-ds-');
    const first = await appendRows('support', [row('a'), row('b', { provenance: { source: 'harvested', traceId: 'abc' } })], dir);
    expect(first.rows).toHaveLength(2);
    const second = await appendRows('support', [row('c')], dir);
    expect(second.version).not.toBe(first.version);
    expect(second.rows.find((r) => r.id === 'b')?.provenance).toMatchObject({ source: 'harvested', traceId: 'abc' });
    const before = readFileSync(join(dir, 'support.jsonl'), 'utf8');
    await expect(appendRows('support', [row('d'), row('a', { input: 'rewritten' })], dir)).rejects.toThrow(/line 2: id: "a" already exists/);
    await expect(appendRows('support', [{ id: 'e', input: 42 } as never], dir)).rejects.toThrow(/line 1: input/);
    expect(readFileSync(join(dir, 'support.jsonl'), 'utf8')).toBe(before);
    expect((await loadDataset('support', dir)).version).toBe(second.version);
    expect((await listDatasets(dir)).map((d) => [d.name, d.rows])).toEqual([['support', 3]]);
  });

  it('a file has one version passed as a path and after `dataset add` into an empty dataset; an edited row changes it', async () => {
    const dir = makeTempDir('tj-ds-');
    const file = join(dir, 'hand.jsonl');
    // As people write them: keys in any order, spaces, defaults left out.
    writeFileSync(file, '{ "input": "Is Dr. Silva free on Monday?",  "id": "slot-1", "tags": { "vertical": "clinic" } }\n\n{"id":"slot-2","input":["Hi","Book me in"]}\n');
    const direct = await loadDataset(file);
    const stored = await appendRows('clinic', parseRows(readFileSync(file, 'utf8')).rows, dir);
    // Stored rows gained provenance.addedAt and compact lines: their bytes differ, their identity does not.
    expect(readFileSync(join(dir, 'clinic.jsonl'), 'utf8')).not.toBe(readFileSync(file, 'utf8'));
    expect(stored.rows[0]!.provenance.addedAt).toBeDefined();
    expect(stored.version).toBe(direct.version);
    expect((await loadDataset('clinic', dir)).version).toBe(direct.version);
    writeFileSync(file, '{"id":"slot-1","input":"Is Dr. Silva free on Tuesday?","tags":{"vertical":"clinic"}}\n{"id":"slot-2","input":["Hi","Book me in"]}\n');
    expect((await loadDataset(file)).version).not.toBe(direct.version);
  });

  it('fails to load a file with bad rows, listing every problem', async () => {
    const dir = makeTempDir('tj-ds-');
    const path = join(dir, 'bad.jsonl');
    writeFileSync(path, `${JSON.stringify(row('a'))}\n${JSON.stringify({ id: 'b' })}\n`);
    const error = await loadDataset(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).message).toContain('line 2: input: expected a string or an array of strings, got nothing');
    await expect(loadDataset(join(dir, 'missing.jsonl'))).rejects.toThrow(/cannot read .*missing\.jsonl \(ENOENT\)/);
  });
});
