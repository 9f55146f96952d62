/**
 * The collector's evaluation after a long run: the bench's phases each start a fresh collector
 * and end long before its bounded memories fill (100,000 traces, 100,000 agent traces), so this
 * measures, in this process and without HTTP, CPU per span of what `tracejudge collect` runs for
 * a request (CollectorService.acceptSpans: inline checks + the online stage's sampling
 * decisions) early on, and again once those memories are full and evict on every turn.
 * Early is measured on two fresh collectors, one before the long run and one after it.
 * A long-running collector lives in the second state; a memory whose eviction cost grows with
 * its size shows up as a ratio well above 1 (it did: 2.7× before src/model/recency-map.ts).
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { createOnlineStage, pipelineOptionsFromConfig } from '../processors/index.ts';
import { decodeTraceRequestProtobuf } from '../src/otlp/index.ts';
import { CollectorService } from '../src/collector/service.ts';
import type { ForwarderStats, SpanForwarder } from '../src/collector/forward/span-forwarder.ts';
import { resolveConfig } from '../src/config/index.ts';
import { requestBody } from './collector-workload.ts';
import type { RequestTemplate } from './collector-workload.ts';

export interface LongRunning {
  /** Microseconds of CPU per span over requests 100–400 (mean of two fresh collectors, before and after the long run). */
  readonly earlyUs: number;
  /** The same over the last 300 requests, with the trace memories full. */
  readonly lateUs: number;
  readonly requests: number;
  readonly tracesSeen: number;
}

/** Takes every span and drops it: only the evaluation is measured. */
class DiscardingForwarder implements SpanForwarder {
  enqueue(_spans: ReadableSpan[]): boolean {
    return true;
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
  stats(): ForwarderStats {
    return { queuedSpans: 0, queuedBytes: 0 } as ForwarderStats;
  }
}

const cpuUs = () => {
  const usage = process.threadCpuUsage();
  return usage.user + usage.system;
};

/** A fresh CollectorService as `tracejudge collect` wires it (checks + the online stage), forwarding nowhere. */
async function freshCollect(): Promise<{ service: CollectorService; shutdown: () => Promise<void> }> {
  const config = resolveConfig({}, { env: {} });
  const pipeline = pipelineOptionsFromConfig(config);
  let service: CollectorService | undefined;
  const online = await createOnlineStage(config, { conversationOfTrace: (traceId) => service?.conversationOfTrace(traceId) });
  service = new CollectorService({
    forwarder: new DiscardingForwarder(),
    pipeline: { ...pipeline, sinks: [...(pipeline.sinks ?? []), ...online.checkSinks] },
    stages: [online.stage],
  });
  return { service, shutdown: async () => void (await online.stage.shutdown?.()) };
}

/** CPU µs per span of requests `from`..`to` (exclusive) accepted by `service`, after requests 0..`from` warmed it. */
async function cpuPerSpan(service: CollectorService, template: RequestTemplate, openConversations: number, from: number, to: number, start = 0): Promise<number> {
  let spent = 0;
  let spans = 0;
  for (let n = start; n < to; n++) {
    const decoded = decodeTraceRequestProtobuf(requestBody(template, n, openConversations)).spans;
    const before = cpuUs();
    const answer = service.acceptSpans(decoded);
    const used = cpuUs() - before;
    if (!answer.accepted) throw new Error(`long-running measure: request ${n} refused: ${answer.message}`);
    if (n >= from) {
      spent += used;
      spans += decoded.length;
    }
    // Timers run between requests as in the service (the online stage's idle sweep).
    if (n % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return spent / spans;
}

/**
 * Requests 100–400 on a fresh collector, then on to more traces than `maxTraces` (100,000 by
 * default) with the last 300 requests measured, then requests 100–400 on a second fresh
 * collector: the early cost is the mean of the two, so a machine that got busier or quieter
 * during the long run does not pass for the collector growing slower or faster.
 */
export async function measureLongRunning(template: RequestTemplate, openConversations: number): Promise<LongRunning> {
  const maxTraces = resolveConfig({}, { env: {} }).conversations.maxOpen * 2;
  const window = 300;
  const requests = Math.ceil((maxTraces * 1.2) / template.turns) + window;
  const long = await freshCollect();
  const early1 = await cpuPerSpan(long.service, template, openConversations, 100, 100 + window);
  const lateUs = await cpuPerSpan(long.service, template, openConversations, requests - window, requests, 100 + window);
  await long.shutdown();
  const second = await freshCollect();
  const early2 = await cpuPerSpan(second.service, template, openConversations, 100, 100 + window);
  await second.shutdown();
  return { earlyUs: (early1 + early2) / 2, lateUs, requests, tracesSeen: requests * template.turns };
}
