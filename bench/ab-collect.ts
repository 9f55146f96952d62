/**
 * A change to the collector's evaluation path, measured against a base checkout in one process.
 *
 * Why: this machine's speed drifts by ±30% within minutes (other tenants on 2 cores), so two runs
 * of a suite minutes apart cannot tell a 3% change from the drift. Here both checkouts' modules
 * are loaded side by side (distinct file URLs: distinct module state), each builds its own
 * CollectorService, and every request goes through both, in alternating order, back to back:
 * the drift hits both sides of each comparison alike. Reported: the median over requests of
 * (this checkout's µs per span / the base's) — below 1 is faster.
 *
 * Measured per request: decoding, `acceptSpans` (pipeline, stages) and the side's own forwarder
 * encoding (`encodeBatch` of src/collector/forward/senders.ts) over what it forwards, as
 * `tracejudge collect` spends it between reading a body and writing one. Not the HTTP path
 * (bench/collector.ts).
 * Both sides share one heap: GC triggered by one side's allocations may land in the other's time,
 * so a change in how much is allocated or retained shows here only in part.
 *
 *   git worktree add /tmp/base HEAD~1 && ln -s "$PWD/node_modules" /tmp/base/node_modules
 *   node bench/ab-collect.ts /tmp/base [collect|checks] [requests]
 *
 * `collect`: checks + the online stage's sampling decisions, as the CLI runs it (default);
 * `checks`: the inline checks alone. The base must be a checkout with the same module layout.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { buildTemplate, requestBody, TURNS_PER_REQUEST } from './collector-workload.ts';

const OPEN_CONVERSATIONS = 5_000;
/** Requests before measuring: JIT and the memories warmed up. */
const WARMUP_REQUESTS = 200;

interface Side {
  /** Milliseconds for the request's spans, and how many spans it had. */
  run(body: Buffer): { ms: number; spans: number };
}

/** One checkout's collector, forwarding into a variable (only the serialization is kept). */
async function sideOf(root: string, mode: 'collect' | 'checks'): Promise<Side> {
  const from = (path: string) => import(pathToFileURL(resolve(root, path)).href);
  const { createOnlineStage, pipelineOptionsFromConfig } = await from('processors/index.ts');
  const { decodeTraceRequestProtobuf } = await from('src/otlp/index.ts');
  const { CollectorService } = await from('src/collector/service.ts');
  const { encodeBatch } = await from('src/collector/forward/senders.ts');
  const { resolveConfig } = await from('src/config/index.ts');
  let forwarded: ReadableSpan[] = [];
  const forwarder = {
    enqueue: (spans: ReadableSpan[]) => ((forwarded = spans), true),
    forceFlush: async () => {},
    shutdown: async () => {},
    stats: () => ({ queuedSpans: 0, queuedBytes: 0 }),
  };
  const config = resolveConfig({}, { env: {} });
  const pipeline = pipelineOptionsFromConfig(config);
  let service: { acceptSpans(spans: unknown[]): unknown; conversationOfTrace(traceId: string): string | undefined } | undefined;
  const online = mode === 'collect' ? await createOnlineStage(config, { conversationOfTrace: (traceId: string) => service?.conversationOfTrace(traceId) }) : undefined;
  service = new CollectorService({
    forwarder,
    pipeline: online ? { ...pipeline, sinks: [...(pipeline.sinks ?? []), ...online.checkSinks] } : pipeline,
    ...(online && { stages: [online.stage] }),
  });
  const running = service!;
  return {
    run(body) {
      const started = performance.now();
      const spans = decodeTraceRequestProtobuf(body).spans as unknown[];
      running.acceptSpans(spans);
      encodeBatch(forwarded, 'http/protobuf');
      return { ms: performance.now() - started, spans: spans.length };
    },
  };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

export interface CheckoutComparison {
  readonly mode: 'collect' | 'checks';
  /** Requests measured (after the warm-up ones). */
  readonly requests: number;
  readonly spansPerRequest: number;
  /** Medians over requests, µs per span. */
  readonly baseUsPerSpan: number;
  readonly thisUsPerSpan: number;
  /** Median over requests of this checkout's time / the base's: below 1 is faster. */
  readonly ratio: number;
}

/** Runs `requests` requests through the base checkout's collector and this one's, interleaved. */
export async function compareWithCheckout(baseRoot: string, mode: 'collect' | 'checks', requests: number): Promise<CheckoutComparison> {
  const template = await buildTemplate(TURNS_PER_REQUEST);
  const sides = [await sideOf(baseRoot, mode), await sideOf(resolve(import.meta.dirname, '..'), mode)] as const;
  const usPerSpan: [number[], number[]] = [[], []];
  for (let n = 0; n < requests; n++) {
    const body = requestBody(template, n, OPEN_CONVERSATIONS);
    for (const which of n % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const)) {
      const { ms, spans } = sides[which].run(body);
      if (n >= WARMUP_REQUESTS) usPerSpan[which].push((ms * 1000) / spans);
    }
    // Timers run between requests, as in the service (the online stage's idle sweep).
    if (n % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    mode,
    requests: usPerSpan[0].length,
    spansPerRequest: template.spans,
    baseUsPerSpan: median(usPerSpan[0]),
    thisUsPerSpan: median(usPerSpan[1]),
    ratio: median(usPerSpan[1].map((us, i) => us / usPerSpan[0][i]!)),
  };
}

if (import.meta.main) {
  const [baseRoot, mode = 'collect', requests = '1200'] = process.argv.slice(2);
  if (baseRoot === undefined || (mode !== 'collect' && mode !== 'checks') || !(Number(requests) > WARMUP_REQUESTS)) {
    console.error(`usage: node bench/ab-collect.ts <base checkout> [collect|checks] [requests > ${WARMUP_REQUESTS}]`);
    process.exit(2);
  }
  const result = await compareWithCheckout(baseRoot, mode, Number(requests));
  console.log(
    `${mode}, ${result.requests} requests of ${result.spansPerRequest} spans: base ${result.baseUsPerSpan.toFixed(2)} µs/span, ` +
      `this checkout ${result.thisUsPerSpan.toFixed(2)} µs/span (medians); this / base per request, median: ${result.ratio.toFixed(3)}`,
  );
  // The online stage's timers would keep the process alive.
  process.exit(0);
}
