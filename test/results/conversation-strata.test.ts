import { describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../src/model/index.ts';
import { ConversationStrata, type StratumContext } from '../../src/results/conversation-strata.ts';

const result = (name: string): EvaluationResult => ({ name, score: 1, label: 'pass', source: 'deterministic' }) as EvaluationResult;

function harness(options: { maxConversations?: number; maxWaitMs?: number } = {}) {
  let now = 0;
  const recorded: { names: string[]; context: StratumContext }[] = [];
  const strata = new ConversationStrata((results, context) => recorded.push({ names: results.map((r) => r.name), context }), { ...options, now: () => now });
  return { strata, recorded, advance: (ms: number) => (now += ms) };
}

describe('ConversationStrata', () => {
  it('holds a reply\'s check results until its turn is decided, then records them in that stratum with the turn\'s cohort', () => {
    const { strata, recorded } = harness();
    strata.add('c-1', [result('commitment.price')], undefined);
    expect(recorded).toEqual([]);
    strata.decided('c-1', { stratum: 'escalations', cohort: { 'app.vertical': 'bank' } });
    expect(recorded).toEqual([{ names: ['commitment.price'], context: { stratum: 'escalations', cohort: { 'app.vertical': 'bank' } } }]);
    // Later turns of a decided conversation are recorded at once.
    strata.add('c-1', [result('commitment.time')], { 'app.language': 'es' });
    expect(recorded[1]).toEqual({ names: ['commitment.time'], context: { stratum: 'escalations', cohort: { 'app.vertical': 'bank', 'app.language': 'es' } } });
  });

  it('records results whose decision never comes as undecided: after the wait, at the count bound, at releaseAll', () => {
    const { strata, recorded, advance } = harness({ maxConversations: 2, maxWaitMs: 1_000 });
    strata.add('a', [result('x')], undefined);
    strata.add('b', [result('y')], undefined);
    strata.add('c', [result('z')], undefined);
    expect(recorded.map((entry) => [entry.names[0], entry.context.stratum])).toEqual([['x', 'undecided']]);
    advance(1_500);
    strata.add('d', [result('w')], undefined);
    expect(recorded.map((entry) => entry.names[0])).toEqual(['x', 'y', 'z']);
    strata.releaseAll();
    expect(recorded.map((entry) => entry.names[0])).toEqual(['x', 'y', 'z', 'w']);
    expect(strata.waitingConversations).toBe(0);
  });
});
