/**
 * Cost and accuracy of the sampling decision (src/sampling).
 *
 *   node bench/sampling.ts
 *
 * Cost: one `decide` per turn of 4 normalized spans (agent, chat, tool, retrieval),
 * DESIGN.md's five strata, always-on triggers, per-stratum outlier sketches and the
 * budget pacing all on; reported per turn and per span against same-run baselines:
 * the conversation hash alone (XXH64 via WebAssembly) and a node:crypto sha256 prefix.
 * Times are CPU time of the process, best of 3 passes.
 * Accuracy: observed vs configured rate per stratum over 100,000 synthetic
 * conversations with sequential ids (triggers, outliers and budget off, so each
 * stratum's share is its rate alone); the target is ±1 percentage point.
 */
import { hash as cryptoHash } from 'node:crypto';
import { normalizeSpan } from '../src/model/normalize.ts';
import type { Attributes } from '../src/model/span-record.ts';
import type { SpanView } from '../src/model/span-view.ts';
import { loadConversationHash, samplerFromSettings } from '../src/sampling/index.ts';
import type { SamplingInput, SamplingSettings, StratumSettings } from '../src/sampling/index.ts';
import { runSuite, type BenchRow } from './bench-table.ts';


const CONVERSATIONS = 100_000;
const T0 = Date.UTC(2026, 2, 2, 10);

const STRATA: StratumSettings[] = [
  { name: 'escalations', when: { attribute: 'app.escalated', equals: true }, rate: 1.0 },
  { name: 'new_flow', when: { attribute: 'app.flow.age_days', lessThan: 30 }, rate: 0.5 },
  { name: 'tool_calls', when: { hasToolCalls: true }, rate: 0.3 },
  { name: 'non_english', when: { attribute: 'user.language', notEquals: 'en' }, rate: 0.25 },
  { name: 'routine', rate: 0.1 },
];

function settings(full: boolean): SamplingSettings {
  return {
    strata: STRATA,
    always: full ? ['checkFailed', 'escalation', 'error'] : [],
    outliers: { latencyAboveQuantile: full ? 0.99 : null, tokensAboveMedianTimes: full ? 4 : null, windowMs: 600_000, minSamples: 100 },
    budget: {
      maxJudgeCostPerHour: full ? 50 : null,
      maxJudgeCostPerDay: full ? 500 : null,
      maxJudgeCostShareOfInference: full ? 0.05 : null,
      prices: { 'gpt-4.1-mini': { input: 0.4, output: 1.6 }, 'gpt-4.1': { input: 2, output: 8 } },
      judgeModel: 'gpt-4.1-mini',
      judgeOverheadTokens: 1500,
      judgeOutputTokens: 500,
      paceWindowMs: 300_000,
    },
    hashSalt: '',
  };
}

function view(name: string, attributes: Attributes): SpanView {
  const start = 1_772_445_600_000_000_000n;
  return normalizeSpan({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    name,
    kind: 1,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 900_000_000n,
    attributes,
    resourceAttributes: { 'service.name': 'agent', 'deployment.environment.name': 'prod' },
    status: { code: 0 },
    events: [],
  });
}

/** Five cohorts of turn shapes; conversation i gets shape i mod 50 (2% escalated, 10% new flow, …). */
function turnShapes(): SpanView[][] {
  const shapes: SpanView[][] = [];
  for (let k = 0; k < 50; k++) {
    const cohort: Attributes = {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'support',
      'user.language': k % 5 === 3 ? 'de' : 'en',
      'app.flow.age_days': k % 10 === 1 ? 7 : 400,
      ...(k === 0 && { 'app.escalated': true }),
    };
    const chat = view('chat gpt-4.1-mini', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.usage.input_tokens': 1800,
      'gen_ai.usage.output_tokens': 250,
    });
    const tool = k % 5 < 2 ? view('execute_tool lookup_plan', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_plan' }) : view('GET /plans', { 'http.request.method': 'GET' });
    const retrieval = view('retrieval kb', { 'gen_ai.operation.name': 'retrieval', 'gen_ai.data_source.id': 'kb' });
    shapes.push([view('invoke_agent support', cohort), chat, tool, retrieval]);
  }
  return shapes;
}

function inputs(ids: readonly string[], shapes: readonly SpanView[][]): SamplingInput[] {
  return ids.map((conversationId, i) => ({
    conversationId,
    spans: shapes[i % shapes.length],
    latencyMs: 700 + ((i * 7919) % 600),
    totalTokens: 1800 + ((i * 104729) % 500),
    checkFailed: i % 97 === 0,
    judgeInputChars: 6000,
    now: T0 + i * 10,
  }));
}

/**
 * Best of `runs` timed passes after one warm-up pass, ns of process CPU time
 * per item (user + system: on a shared 2-core machine, wall time mostly
 * measures the neighbours). `prepare` runs untimed and hands each pass fresh state.
 */
function nsPerItem<S>(items: number, runs: number, prepare: () => S, pass: (state: S) => number): number {
  let sink = pass(prepare());
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++) {
    const state = prepare();
    const start = process.cpuUsage();
    sink += pass(state);
    const used = process.cpuUsage(start);
    best = Math.min(best, used.user + used.system);
  }
  if (sink === -1) console.log('unreachable');
  return (best * 1e3) / items;
}

export async function runSamplingBench(): Promise<BenchRow[]> {
  const ids = Array.from({ length: CONVERSATIONS }, (_, i) => `conv-${String(i).padStart(6, '0')}`);
  const shapes = turnShapes();
  const turns = inputs(ids, shapes);
  const spansPerTurn = shapes[0].length;
  const hash = await loadConversationHash();

  const hashNs = nsPerItem(ids.length, 3, () => undefined, () => {
    let acc = 0;
    for (const id of ids) acc += hash(id);
    return acc;
  });
  const sha256Ns = nsPerItem(ids.length, 3, () => undefined, () => {
    let acc = 0;
    for (const id of ids) acc += cryptoHash('sha256', id, 'buffer').readUInt32BE(0);
    return acc;
  });
  // A fresh sampler per pass: every pass sees the same sketch and budget history.
  const decideNs = nsPerItem(
    turns.length,
    3,
    () => samplerFromSettings(settings(true), hash),
    (sampler) => {
      let sampled = 0;
      for (const input of turns) if (sampler.decide(input).sampled) sampled++;
      return sampled;
    },
  );

  const rows: BenchRow[] = [
    { name: 'baseline: conversation hash (XXH64, wasm)', value: round(hashNs), unit: 'ns/turn' },
    { name: 'baseline: node:crypto sha256 prefix', value: round(sha256Ns), unit: 'ns/turn', baseline: round(hashNs), ratio: ratio(sha256Ns, hashNs) },
    { name: 'decide (5 strata, triggers, outliers, budget)', value: round(decideNs), unit: 'ns/turn', baseline: round(hashNs), ratio: ratio(decideNs, hashNs) },
    {
      name: `decide per span (${spansPerTurn} spans/turn)`,
      value: round(decideNs / spansPerTurn),
      unit: 'ns/span',
      baseline: round(hashNs),
      ratio: ratio(decideNs / spansPerTurn, hashNs),
    },
  ];

  // Accuracy: each stratum's observed sampled share against its configured rate.
  const plain = samplerFromSettings(settings(false), hash);
  const perStratum = new Map<string, { turns: number; sampled: number }>();
  for (const input of turns) {
    const decision = plain.decide(input);
    const entry = perStratum.get(decision.stratum) ?? { turns: 0, sampled: 0 };
    entry.turns++;
    if (decision.sampled) entry.sampled++;
    perStratum.set(decision.stratum, entry);
  }
  for (const stratum of STRATA) {
    const seen = perStratum.get(stratum.name) ?? { turns: 0, sampled: 0 };
    const observed = seen.turns === 0 ? 0 : seen.sampled / seen.turns;
    rows.push({
      name: `observed rate: ${stratum.name} (${seen.turns.toLocaleString('en-US')} conversations)`,
      value: Number(observed.toFixed(4)),
      unit: 'rate',
      baseline: stratum.rate,
      ratio: ratio(observed, stratum.rate),
      target: `±0.01 (off by ${Math.abs(observed - stratum.rate).toFixed(4)})`,
    });
  }
  return rows;
}

const round = (value: number): number => Math.round(value);
const ratio = (value: number, baseline: number): number => Number((value / baseline).toFixed(3));


if (import.meta.main) await runSuite('Sampling decisions', () => runSamplingBench());
