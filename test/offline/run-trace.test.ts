import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseRows, startOfflineTracing } from '../../src/offline/index.ts';
import type { Dataset, OfflineAgent, OfflineTracing } from '../../src/offline/index.ts';
import { BatchedRunWriter } from '../../src/offline/runner/batched-run-writer.ts';
import { runOne } from '../../src/offline/runner/run-one.ts';
import { builtinReferenceEvaluators } from '../../src/offline/evaluators/index.ts';
import { runExperiment } from '../../src/offline/runner/index.ts';
import { ExperimentsStore } from '../../src/store/experiments-store.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

function dataset(count: number): Dataset {
  const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ id: `r${i}`, input: `book slot ${i}`, reference: { expectedToolCalls: [{ name: 'book_slot', arguments: { slot: i } }] } }));
  return { name: 'mem', path: 'mem.jsonl', version: 'v1', rows: parseRows(lines.join('\n')).rows };
}

/** Never calls context.startConversation: its spans carry no conversation id, only the run's context. */
const rawAgent: OfflineAgent = async (input, context) => {
  const tracer = trace.getTracer('raw-agent');
  return tracer.startActiveSpan('handle', async (root) => {
    const slot = Number(String(input).split(' ').at(-1));
    const tool = tracer.startSpan('execute_tool book_slot', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'book_slot', 'gen_ai.tool.call.arguments': JSON.stringify({ slot }) } });
    await new Promise((resolve) => setTimeout(resolve, 1));
    tool.end();
    // A span still open when the run returns: it ends after the run is over.
    const late = tracer.startSpan('background refresh');
    setTimeout(() => late.end(), 20);
    root.end();
    return `booked ${slot} (${context.repetition})`;
  });
};

let tracing: OfflineTracing | undefined;
const stores: ExperimentsStore[] = [];
afterEach(async () => {
  await tracing?.close();
  tracing = undefined;
  for (const store of stores.splice(0)) store.close();
});

function newStore(): ExperimentsStore {
  const store = new ExperimentsStore(join(makeTempDir('tj-mem-'), 'tracejudge.db'));
  stores.push(store);
  return store;
}

describe('RunTraceCollector memory', () => {
  it('holds nothing after each run of an agent that never starts a conversation, and still reads its spans', async () => {
    tracing = startOfflineTracing();
    const rows = dataset(30).rows;
    const options = { agent: rawAgent, tracing, evaluators: builtinReferenceEvaluators, timeoutMs: 5_000, experiment: 'mem', prices: {}, clock: () => performance.now() };
    const signal = new AbortController().signal;
    for (const row of rows) {
      const run = await runOne(row, 0, options, signal);
      // The tool span had no conversation id: it is attributed by the run's context.
      expect(run.results.find((result) => result.evaluator === 'reference.tool_calls')).toMatchObject({ label: 'pass' });
      expect(tracing.collector.retained()).toEqual({ runs: 0, traces: 0 });
    }
    // The late spans end after their runs: forwarded, never kept.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(tracing.collector.retained()).toEqual({ runs: 0, traces: 0 });
  });

  it('a run that times out is released too', async () => {
    tracing = startOfflineTracing();
    const hanging: OfflineAgent = () => {
      trace.getTracer('raw-agent').startSpan('never ends');
      return new Promise(() => {});
    };
    const options = { agent: hanging, tracing, evaluators: [], timeoutMs: 50, experiment: 'mem', prices: {}, clock: () => performance.now() };
    const run = await runOne(dataset(1).rows[0], 0, options, new AbortController().signal);
    expect(run.error).toMatch(/RunTimeoutError/);
    expect(tracing.collector.retained()).toEqual({ runs: 0, traces: 0 });
  });
});

describe('batched run writes', () => {
  it('stores every finished run of an experiment, more runs than one batch', async () => {
    const store = newStore();
    const summary = await runExperiment({ agent: rawAgent, agentModule: 'raw', dataset: dataset(150), experiment: 'many', store, concurrency: 8 });
    expect(summary).toMatchObject({ status: 'finished', ran: 150, errors: 0 });
    expect(store.loadRuns('many')).toHaveLength(150);
    expect(store.loadRuns('many').every((run) => run.results.some((result) => result.evaluator === 'reference.tool_calls' && result.label === 'pass'))).toBe(true);
  });

  it('writes a partial batch after a short delay, before the experiment ends', async () => {
    const store = newStore();
    store.createExperiment({ name: 'x', datasetName: 'd', datasetVersion: 'v', repetitions: 1, agentModule: 'm', agentInfo: {}, status: 'running', createdAt: '' });
    const writer = new BatchedRunWriter(store, 'x');
    writer.add({ rowId: 'a', repetition: 0, tags: {}, latencyMs: 1, results: [] });
    expect(store.doneRuns('x').size).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect([...store.doneRuns('x')]).toEqual(['a#0']);
  });

  it('keeps a batch the store refused and raises the error on the next write', () => {
    const store = newStore();
    store.createExperiment({ name: 'x', datasetName: 'd', datasetVersion: 'v', repetitions: 1, agentModule: 'm', agentInfo: {}, status: 'running', createdAt: '' });
    const writer = new BatchedRunWriter(store, 'x');
    writer.add({ rowId: 'a', repetition: 0, tags: {}, latencyMs: 1, results: [] });
    store.close();
    expect(() => writer.flush()).toThrow(/not open/i);
    stores.splice(stores.indexOf(store), 1);
  });
});
