/**
 * The collector's evaluation after a long run: the bench's phases each start a fresh collector
 * and end long before its bounded memories fill (100,000 traces, 100,000 agent traces), so this
 * measures, in this process and without HTTP, CPU per span of what `tracejudge collect` runs for
 * a request (CollectorService.acceptSpans: inline checks + the online stage's sampling
 * decisions) early on, and again once those memories are full and evict on every turn.
 * A long-running collector lives in the second state; a memory whose eviction cost grows with
 * its size shows up as a ratio well above 1 (it did: 2.7× before processors/recency-map.ts).
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { createOnlineStage, pipelineOptionsFromConfig } from '../processors/index.ts';
import { decodeTraceRequestProtobuf } from '../src/collector/otlp/index.ts';
import { CollectorService } from '../src/collector/service.ts';
import type { ForwarderStats, SpanForwarder } from '../src/collector/span-forwarder.ts';
import { resolveConfig } from '../src/config/index.ts';
import { requestBody } from './collector-workload.ts';
import type { RequestTemplate } from './collector-workload.ts';

export interface LongRunning {
  /** Microseconds of CPU per span over requests 100–400. */
  readonly earlyUs: number;
  /** The same over the last 300 requests, with the trace memories full. */
  readonly lateUs: number;
  readonly requests: number;
  readonly tracesSeen: number;
}

/** Takes every span and drops it: only the evaluation is measured. */
class DiscardingForwarder implements SpanForwarder {
  forwarded = 0;
  enqueue(spans: ReadableSpan[]): boolean {
    this.forwarded += spans.length;
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

/** Enough requests that more traces than `maxTraces` (100,000 by default) have gone by before the last window. */
export async function measureLongRunning(template: RequestTemplate, openConversations: number): Promise<LongRunning> {
  const config = resolveConfig({}, { env: {} });
  const maxTraces = config.conversations.maxOpen * 2;
  const window = 300;
  const requests = Math.ceil((maxTraces * 1.2) / template.turns) + window;
  const pipeline = pipelineOptionsFromConfig(config);
  let service: CollectorService | undefined;
  const online = await createOnlineStage(config, { conversationOfTrace: (traceId) => service?.conversationOfTrace(traceId) });
  const forwarder = new DiscardingForwarder();
  service = new CollectorService({
    forwarder,
    pipeline: { ...pipeline, sinks: [...(pipeline.sinks ?? []), ...online.checkSinks] },
    stages: [online.stage],
  });
  let early = 0;
  let earlySpans = 0;
  let late = 0;
  let lateSpans = 0;
  for (let n = 0; n < requests; n++) {
    const spans = decodeTraceRequestProtobuf(requestBody(template, n, openConversations)).spans;
    const before = cpuUs();
    const answer = service.acceptSpans(spans);
    const spent = cpuUs() - before;
    if (!answer.accepted) throw new Error(`long-running measure: request ${n} refused: ${answer.message}`);
    if (n >= 100 && n < 100 + window) {
      early += spent;
      earlySpans += spans.length;
    } else if (n >= requests - window) {
      late += spent;
      lateSpans += spans.length;
    }
    // Timers run between requests as in the service (the online stage's idle sweep).
    if (n % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await online.stage.shutdown?.();
  return { earlyUs: early / earlySpans, lateUs: late / lateSpans, requests, tracesSeen: requests * template.turns };
}
