import { describe, expect, it } from 'vitest';
import { decisionCases, fingerprint, loadCheckModules, readGolden } from './decisions-golden.ts';

const checks = await loadCheckModules();
const cases = decisionCases();
const golden = readGolden();

// Speed work on src/checks must not change a decision: every fingerprint is the one the checks wrote before it.
describe('what the commitment checks decide (fixtures/decisions.golden.txt)', () => {
  it('has a fingerprint for every case: labelled replies, benchmark texts and their seeded variations', () => {
    expect(cases.length).toBeGreaterThan(2000);
    expect([...golden.keys()]).toEqual(cases.map((decisionCase) => decisionCase.id));
  });

  it('decides every case as before', () => {
    const changed: string[] = [];
    for (const decisionCase of cases) {
      if (fingerprint(checks, decisionCase) !== golden.get(decisionCase.id)) {
        changed.push(`${decisionCase.id}: ${JSON.stringify(decisionCase.text).slice(0, 160)}`);
      }
    }
    expect(changed).toEqual([]);
  });

  it('tells apart texts the checks read differently', () => {
    const pass = fingerprint(checks, { id: 'a', text: 'The total is $45.' });
    expect(fingerprint(checks, { id: 'b', text: 'The total is $46.' })).not.toBe(pass);
    expect(fingerprint(checks, { id: 'c', text: 'The total is $45 at noon.' })).not.toBe(pass);
  });
});
