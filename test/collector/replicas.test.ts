import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createOnlineStage } from '../../processors/index.ts';
import type { OnlineStageParts } from '../../processors/index.ts';
import { OtlpForwarder } from '../../src/collector/forward/forwarder.ts';
import { CollectorService } from '../../src/collector/service.ts';
import { resolveConfig } from '../../src/config/index.ts';
import type { TracejudgeConfigInput } from '../../src/config/index.ts';
import { turnSpecs } from '../cli/support/turns.ts';
import { CaptureServer, eventually, testConfig } from './forward/capture-server.ts';
import { recordSpans } from '../otlp/sdk-spans.ts';
import { exportWith, forwardedSpans } from './receive/receiver-support.ts';

/**
 * Past one machine (DESIGN.md "Scale"): replicas behind the Collector's load_balancing exporter
 * must agree on every conversation's sampling decision without talking to each other, whatever
 * order and batching the spans arrive in. Two CollectorService instances, each with its own
 * sampler built from the same config, are fed the same conversations differently.
 */

const CONVERSATIONS = 40;
const TURNS = 2;
// Triggers, outliers and the budget off: what is left is the stratum rule and the hash of the
// conversation id, which is what must agree across replicas (the others depend on local history).
const CONFIG: TracejudgeConfigInput = {
  sampling: {
    strata: [{ name: 'priority', when: { attribute: 'gen_ai.agent.name', equals: 'priority-desk' }, rate: 1 }, { name: 'routine', rate: 0.5 }],
    always: [],
    outliers: { latencyAboveQuantile: null, tokensAboveMedianTimes: null },
    budget: { maxJudgeCostShareOfInference: null },
  },
};

const running: { service: CollectorService; online: OnlineStageParts; capture: CaptureServer }[] = [];

afterEach(async () => {
  for (const { service, online, capture } of running.splice(0)) {
    await service.stop();
    await online.close();
    await capture.down();
  }
});

async function replica(): Promise<{ url: string; capture: CaptureServer }> {
  const capture = await CaptureServer.start();
  let service: CollectorService | undefined;
  const online = await createOnlineStage(resolveConfig(CONFIG, { env: {} }), { conversationOfTrace: (traceId) => service?.conversationOfTrace(traceId) });
  const forwarder = new OtlpForwarder(testConfig(capture.tracesUrl), { flushTimeoutMs: 5000 });
  service = new CollectorService({ forwarder, receiver: { host: '127.0.0.1', port: 0 }, stages: [online.stage] });
  const url = `http://127.0.0.1:${(await service.start()).port}`;
  running.push({ service, online, capture });
  return { url, capture };
}

/** Deterministic shuffle (a seeded LCG), so a failure is reproducible. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** conversation id → the sampling attributes on its turn spans (one entry per turn). */
function decisions(spans: ReturnType<typeof forwardedSpans>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const span of spans) {
    if (!span.name.startsWith('invoke_agent')) continue;
    const conversation = String(span.attributes['gen_ai.conversation.id']);
    const decision = ['sampled', 'stratum', 'rate', 'reason', 'weight'].map((field) => `${field}=${String(span.attributes[`tracejudge.sampling.${field}`])}`).join(' ');
    out.set(conversation, [...(out.get(conversation) ?? []), decision].sort());
  }
  return out;
}

describe('sampling across replicas', () => {
  it('two instances with their own samplers decide every conversation alike, whatever the order and batching', async () => {
    // One trace per turn; every conversation has TURNS turns, a few go to the priority stratum.
    const turnsOf = async (conversation: number, turn: number): Promise<ReadableSpan[]> => {
      const specs = turnSpecs({ conversationId: `conv-${conversation}`, toolResult: { price: '$249.00' }, reply: `Turn ${turn}: it is $249.00.`, at: 1_750_000_000 + conversation * 100 + turn });
      if (conversation % 7 === 0) (specs[0].attributes as Record<string, unknown>)['gen_ai.agent.name'] = 'priority-desk';
      return recordSpans(specs);
    };
    const turns: ReadableSpan[][] = [];
    for (let turn = 0; turn < TURNS; turn++) for (let c = 0; c < CONVERSATIONS; c++) turns.push(await turnsOf(c, turn));

    const a = await replica();
    const b = await replica();
    // Replica A: turn by turn, conversations in order, one request per turn.
    for (const spans of turns) expect((await exportWith('proto', a.url, spans)).code).toBe(ExportResultCode.SUCCESS);
    // Replica B: each conversation's turns still in order, conversations interleaved differently, 9 turns per request.
    const byConversation = Array.from({ length: CONVERSATIONS }, (_, c) => turns.filter((_, i) => i % CONVERSATIONS === c));
    const order: ReadableSpan[][] = [];
    const queues = shuffled(byConversation, 42).map((list) => [...list]);
    while (queues.some((queue) => queue.length > 0)) {
      for (const queue of shuffled(queues, order.length + 7)) if (queue.length > 0) order.push(queue.shift()!);
    }
    for (let i = 0; i < order.length; i += 9) {
      expect((await exportWith('proto', b.url, order.slice(i, i + 9).flat())).code).toBe(ExportResultCode.SUCCESS);
    }
    const total = CONVERSATIONS * TURNS * 3;
    await eventually(() => forwardedSpans(a.capture).length === total && forwardedSpans(b.capture).length === total, 'every span forwarded by both');

    const fromA = decisions(forwardedSpans(a.capture));
    const fromB = decisions(forwardedSpans(b.capture));
    expect(fromA.size).toBe(CONVERSATIONS);
    expect(Object.fromEntries(fromB)).toEqual(Object.fromEntries(fromA));
    // Not trivially equal: both outcomes and both strata occur, and each conversation is decided alike on every turn.
    const all = [...fromA.values()];
    expect(all.some((turnDecisions) => turnDecisions[0].startsWith('sampled=true'))).toBe(true);
    expect(all.some((turnDecisions) => turnDecisions[0].startsWith('sampled=false'))).toBe(true);
    expect(all.some((turnDecisions) => turnDecisions[0].includes('stratum=priority'))).toBe(true);
    for (const turnDecisions of all) expect(new Set(turnDecisions.map((d) => d.replace(/ reason=\S+/, ''))).size).toBe(1);
  });
});
