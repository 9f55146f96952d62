/**
 * Offline runner benchmarks: (1) runner overhead per row against a bare loop
 * calling the same agent at the same concurrency (deterministic evaluators
 * only; target ≤ 5%); (2) compare time over 100,000 stored results.
 * Run: node bench/offline.ts
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConversation } from '../instrumentation/index.ts';
import { compareExperiments, loadDataset, runExperiment } from '../src/offline/index.ts';
import type { AgentContext, DatasetRow } from '../src/offline/index.ts';
import { ExperimentsStore } from '../src/store/experiments-store.ts';
import { agent } from '../examples/offline/agent.ts';

export type BenchRow = { name: string; value: number; unit: string; baseline?: number; ratio?: number; target?: string };

const CONCURRENCY = 4;

async function bareLoop(rows: readonly DatasetRow[]): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++];
      const id = `bare/${row.id}/${next}`;
      const context: AgentContext = { row, repetition: 0, signal: new AbortController().signal, conversationId: id, startConversation: (options = {}) => startConversation({ ...options, id }) };
      await agent(row.input, context);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return performance.now() - started;
}

export async function runOfflineBench(options: { rounds?: number } = {}): Promise<BenchRow[]> {
  const rounds = options.rounds ?? 5;
  const dataset = await loadDataset(new URL('../examples/offline/golden.jsonl', import.meta.url).pathname);
  const rows = Array.from({ length: 4 }, (_, i) => dataset.rows.map((row) => ({ ...row, id: `${row.id}-${i}` }))).flat();
  const big = { ...dataset, rows };
  const store = new ExperimentsStore(join(mkdtempSync(join(tmpdir(), 'tj-bench-')), 'bench.db'));
  await bareLoop(rows.slice(0, 20)); // warm-up: model server, JIT
  let bare = Number.POSITIVE_INFINITY, runner = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    bare = Math.min(bare, await bareLoop(rows));
    const started = performance.now();
    await runExperiment({ agent, agentModule: 'bench', dataset: big, experiment: `bench-${round}`, store, concurrency: CONCURRENCY });
    runner = Math.min(runner, performance.now() - started);
  }
  const perRowBare = (bare / rows.length) * 1000, perRowRunner = (runner / rows.length) * 1000;

  // 100,000 stored results: 2 experiments × 5,000 rows × 10 evaluators.
  const evaluators = Array.from({ length: 10 }, (_, i) => `eval.${i}`);
  for (const name of ['A', 'B']) {
    store.createExperiment({ name, datasetName: 'big', datasetVersion: 'v', repetitions: 1, agentModule: 'bench', agentInfo: {}, status: 'finished', createdAt: '' });
    for (let r = 0; r < 5000; r++) {
      store.saveRun(name, { rowId: `r${r}`, repetition: 0, tags: { vertical: `v${r % 5}`, language: r % 2 ? 'en' : 'es' }, latencyMs: 10 + (r % 17), costUsd: 0.001,
        results: evaluators.map((evaluator, i) => ({ evaluator, score: (r * 7 + i + (name === 'B' ? 1 : 0)) % 10 === 0 ? 0 : 1, label: 'pass' })) });
    }
  }
  const started = performance.now();
  compareExperiments({ record: store.getExperiment('A')!, runs: store.loadRuns('A') }, { record: store.getExperiment('B')!, runs: store.loadRuns('B') });
  const compareMs = performance.now() - started;
  store.close();
  return [
    { name: 'runner per row (example agent, concurrency 4)', value: perRowRunner, unit: 'µs', baseline: perRowBare, ratio: perRowRunner / perRowBare, target: '≤ 1.05× bare loop' },
    { name: 'compare, 100,000 stored results (load + stats)', value: compareMs, unit: 'ms' },
  ];
}

if (import.meta.main) {
  for (const row of await runOfflineBench()) {
    console.log(`${row.name.padEnd(50)} ${row.value.toFixed(1).padStart(10)} ${row.unit}${row.baseline !== undefined ? `  (bare ${row.baseline.toFixed(1)}, ×${row.ratio?.toFixed(3)})` : ''}${row.target ? `  target ${row.target}` : ''}`);
  }
}
