import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { compareExperiments, expectedOutcome, expectedToolCalls, exactMatch, facts, parseRows, runExperiment } from '../../src/offline/index.ts';
import type { Dataset, OfflineAgent, RunCase } from '../../src/offline/index.ts';
import { ExperimentsStore } from '../../src/store/experiments-store.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

const stores: ExperimentsStore[] = [];
afterEach(() => { for (const store of stores.splice(0)) store.close(); });
function store(): ExperimentsStore {
  const s = new ExperimentsStore(join(makeTempDir('tj-exp-'), 'tracejudge.db'));
  stores.push(s);
  return s;
}

function dataset(lines: object[]): Dataset {
  const { rows } = parseRows(lines.map((line) => JSON.stringify(line)).join('\n'));
  return { name: 'unit', path: 'unit.jsonl', version: 'v1', rows };
}

const rows = dataset([
  { id: 'r1', input: 'price of a haircut', reference: { mustContain: ['$55'] }, tags: { vertical: 'salon' } },
  { id: 'r2', input: 'hang', tags: { vertical: 'bank' } },
  { id: 'r3', input: 'throw', tags: { vertical: 'bank' } },
  { id: 'r4', input: 'flaky', reference: { mustContain: ['yes'] }, tags: { vertical: 'bank' } },
]);

const agent: OfflineAgent = async (input, context) => {
  if (input === 'hang') return new Promise(() => {});
  if (input === 'throw') throw new Error('backend down');
  if (input === 'flaky') return context.repetition % 2 === 0 ? 'yes' : 'no';
  const conversation = context.startConversation({ agentName: 'unit' });
  const reply = await conversation.turn(String(input), (turn) => {
    turn.tool('get_service_price', { service: 'haircut' }, () => ({ price: 55, currency: 'USD' }));
    turn.reply('A haircut is $55.');
    return 'A haircut is $55.';
  });
  conversation.end();
  return reply;
};

describe('runExperiment', () => {
  it('records a hanging or throwing agent as an error row and goes on; repetitions flag unstable rows', async () => {
    const s = store();
    const summary = await runExperiment({ agent, agentModule: 'unit', dataset: rows, experiment: 'e1', store: s, repetitions: 2, concurrency: 2, timeoutMs: 300 });
    expect(summary).toMatchObject({ status: 'finished', ran: 8, errors: 4, total: 8 });
    const runs = s.loadRuns('e1');
    expect(runs.find((r) => r.rowId === 'r2')?.error).toMatch(/RunTimeoutError: agent did not answer within 300 ms/);
    expect(runs.find((r) => r.rowId === 'r3')?.error).toMatch(/backend down/);
    const r1 = runs.find((r) => r.rowId === 'r1');
    // The deterministic checks ran on the row's spans through the EvaluationPipeline.
    expect(r1?.results.find((r) => r.evaluator === 'commitment.price')).toMatchObject({ label: 'pass' });
    expect(r1?.results.find((r) => r.evaluator === 'reference.must_contain')).toMatchObject({ score: 1 });
    const comparison = compareExperiments({ record: s.getExperiment('e1')!, runs }, { record: s.getExperiment('e1')!, runs });
    expect(comparison.unstable.map((u) => `${u.rowId}:${u.evaluator}`)).toContain('r4:reference.must_contain');
  });

  it('keeps finished runs when interrupted and resumes only the missing ones', async () => {
    const s = store();
    const interrupt = new AbortController();
    let calls = 0;
    const counting: OfflineAgent = async (input, context) => {
      calls++;
      if (calls === 2) interrupt.abort();
      return agent(input === 'hang' || input === 'throw' ? 'flaky' : input, context);
    };
    const first = await runExperiment({ agent: counting, agentModule: 'unit', dataset: rows, experiment: 'e2', store: s, concurrency: 1, signal: interrupt.signal });
    expect(first.status).toBe('interrupted');
    expect(s.getExperiment('e2')?.status).toBe('interrupted');
    const stored = s.doneRuns('e2').size;
    expect(stored).toBe(1);
    await expect(runExperiment({ agent: counting, agentModule: 'unit', dataset: rows, experiment: 'e2', store: s })).rejects.toThrow(/already exists .*--resume/);
    const second = await runExperiment({ agent: counting, agentModule: 'unit', dataset: rows, experiment: 'e2', store: s, resume: true });
    expect(second).toMatchObject({ status: 'finished', skipped: 1, ran: 3 });
    expect(s.loadRuns('e2')).toHaveLength(4);
    await expect(runExperiment({ agent, agentModule: 'unit', dataset: { ...rows, version: 'v2' }, experiment: 'e2', store: s, resume: true })).rejects.toThrow(/ran on dataset unit@v1, this is unit@v2/);
  });

  it('records an agent answer that is neither a string nor { reply } as an error naming it', async () => {
    const s = store();
    const bad: OfflineAgent = async () => ({ text: 'hi' }) as never;
    await runExperiment({ agent: bad, agentModule: 'unit', dataset: dataset([{ id: 'x', input: 'q' }]), experiment: 'e3', store: s });
    expect(s.loadRuns('e3')[0].error).toMatch(/an object without a string "reply"/);
  });
});

const run = (reference: object, reply: string, extra: Partial<RunCase> = {}): RunCase => ({
  row: parseRows(JSON.stringify({ id: 'r', input: 'q', reference })).rows[0],
  output: { reply }, toolCalls: [], outcomes: new Set(), trace: { checks: [], toolCalls: [], outcomes: new Set(), models: new Set(), inputTokens: 0, outputTokens: 0 },
  ...extra,
});
const signal = new AbortController().signal;

describe('reference evaluators', () => {
  it('exact and normalized match', () => {
    const results = exactMatch.evaluate(run({ answer: 'Your haircut costs $55.' }, 'your HAIRCUT costs $55'), signal) as { name: string; label?: string }[];
    expect(results.map((r) => `${r.name}:${r.label}`)).toEqual(['reference.exact_match:fail', 'reference.normalized_match:pass']);
    expect(exactMatch.evaluate(run({}, 'x'), signal)).toEqual([]);
  });

  it('must contain / must not contain facts, scored by share', () => {
    const [contain, notContain] = facts.evaluate(run({ mustContain: ['$55', '09:30'], mustNotContain: ['refund'] }, 'It is $55, and a refund is possible.'), signal) as { score?: number; label?: string; explanation?: string }[];
    expect(contain).toMatchObject({ score: 0.5, label: 'fail', explanation: 'missing: 09:30' });
    expect(notContain).toMatchObject({ score: 0, label: 'fail' });
  });

  it('expected outcome reached, including "none"', () => {
    expect(expectedOutcome.evaluate(run({ outcome: 'booking_made' }, 'ok', { outcomes: new Set(['booking_made']) }), signal)).toMatchObject([{ label: 'pass' }]);
    expect(expectedOutcome.evaluate(run({ outcome: 'none' }, 'ok', { outcomes: new Set(['escalated']) }), signal)).toMatchObject([{ label: 'fail', explanation: 'expected none, reached escalated' }]);
  });

  it('expected tool called with expected arguments (given keys deep-equal)', () => {
    const reference = { expectedToolCalls: [{ name: 'book_slot', arguments: { slot: '2026-11-27T10:00' } }, { name: 'find_slots' }] };
    const made = [{ name: 'find_slots', arguments: { day: 'friday' } }, { name: 'book_slot', arguments: { slot: '2026-11-27T16:30', service: 'x' } }];
    expect(expectedToolCalls.evaluate(run(reference, 'ok', { toolCalls: made }), signal)).toMatchObject([{ score: 0.5, label: 'fail' }]);
    made[1].arguments.slot = '2026-11-27T10:00';
    expect(expectedToolCalls.evaluate(run(reference, 'ok', { toolCalls: made }), signal)).toMatchObject([{ score: 1, label: 'pass' }]);
  });
});
