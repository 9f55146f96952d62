import { describe, expect, it } from 'vitest';
import { builtinChecks, runChecks } from '../../src/checks/index.ts';
import type { Check } from '../../src/checks/index.ts';
import type { Turn } from '../../src/model/conversation.ts';
import { conversationOf, tool, turnOf } from './builders.ts';

const conversation = conversationOf(tool({ price: 45, slots: ['14:30'] }));

describe('builtinChecks', () => {
  it('lists the three commitment checks by their contract names', () => {
    expect(builtinChecks.map((check) => check.name)).toEqual(['commitment.price', 'commitment.time', 'commitment.refund']);
  });
});

describe('runChecks', () => {
  it('collects the results of every check', () => {
    const results = runChecks(builtinChecks, turnOf('It is $45 at 14:30, and we refund $10.'), conversation);
    expect(results.map((r) => [r.name, r.label])).toEqual([
      ['commitment.price', 'pass'],
      ['commitment.time', 'pass'],
      ['commitment.refund', 'fail'],
    ]);
  });

  it('turns a throwing check into an error result and runs the others', () => {
    const broken: Check = {
      name: 'custom.broken',
      evaluate() {
        throw new RangeError('index 7 out of range');
      },
    };
    const results = runChecks([broken, ...builtinChecks], turnOf('It is $45.'), conversation);
    expect(results[0]).toEqual({
      name: 'custom.broken',
      source: 'deterministic',
      explanation: 'check failed to run: index 7 out of range',
      error: { type: 'RangeError', message: 'index 7 out of range' },
    });
    expect(results[1]).toMatchObject({ name: 'commitment.price', label: 'pass' });
  });

  it('reports a thrown non-Error and a check that returns no list', () => {
    const throwsString: Check = { name: 'custom.string', evaluate: () => { throw 'boom'; } };
    const returnsNull: Check = { name: 'custom.null', evaluate: () => null as never };
    const results = runChecks([throwsString, returnsNull], turnOf('hi'), conversation);
    expect(results).toMatchObject([
      { name: 'custom.string', error: { type: '_OTHER', message: 'boom' } },
      { name: 'custom.null', error: { type: 'InvalidCheckResult', message: 'check custom.null returned object, not a list of results' } },
    ]);
  });

  it('never throws on malformed turns: the built-in checks report the bad field', () => {
    const bad = [null, {}, { replyText: 7 }] as unknown as Turn[];
    for (const turn of bad) {
      const results = runChecks(builtinChecks, turn, conversation);
      expect(results).toHaveLength(3);
      for (const result of results) expect(result.error?.type).toBe('CheckInputError');
    }
    expect(runChecks(builtinChecks, null as unknown as Turn, conversation)[0].error?.message).toBe('turn must be an object, got null');
  });

  it('never throws on a broken check object', () => {
    const nameThrows = { get name(): string { throw new Error('no name'); }, evaluate: () => [] } as unknown as Check;
    expect(runChecks([nameThrows, null as unknown as Check], turnOf('x'), conversation)).toMatchObject([
      { name: 'checks[0]', error: { type: 'Error', message: 'no name' } },
      { name: 'checks[1]', error: { type: 'TypeError' } },
    ]);
  });
});
