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
 * Measured per request: `acceptSpans` (pipeline, stages) and the official serializer over what it
 * forwards, as `tracejudge collect` spends it after decoding. Not the HTTP path (bench/collector.ts).
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
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
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
  const { decodeTraceRequestProtobuf } = await from('src/collector/otlp/index.ts');
  const { CollectorService } = await from('src/collector/service.ts');
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
      const spans = decodeTraceRequestProtobuf(body).spans as unknown[];
      const started = performance.now();
      running.acceptSpans(spans);
      ProtobufTraceSerializer.serializeRequest(forwarded);
      return { ms: performance.now() - started, spans: spans.length };
    },
  };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

const [baseRoot, modeArg = 'collect', requestsArg = '1200'] = process.argv.slice(2);
if (baseRoot === undefined || (modeArg !== 'collect' && modeArg !== 'checks') || !(Number(requestsArg) > WARMUP_REQUESTS)) {
  console.error(`usage: node bench/ab-collect.ts <base checkout> [collect|checks] [requests > ${WARMUP_REQUESTS}]`);
  process.exit(2);
}
const template = await buildTemplate(TURNS_PER_REQUEST);
const sides = [await sideOf(baseRoot, modeArg), await sideOf(resolve(import.meta.dirname, '..'), modeArg)];
const usPerSpan: [number[], number[]] = [[], []];
for (let n = 0; n < Number(requestsArg); n++) {
  const body = requestBody(template, n, OPEN_CONVERSATIONS);
  for (const which of n % 2 === 0 ? [0, 1] : [1, 0]) {
    const { ms, spans } = sides[which]!.run(body);
    if (n >= WARMUP_REQUESTS) usPerSpan[which as 0 | 1].push((ms * 1000) / spans);
  }
  // Timers run between requests, as in the service (the online stage's idle sweep).
  if (n % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
}
const ratios = usPerSpan[1].map((us, i) => us / usPerSpan[0][i]!);
console.log(
  `${modeArg}, ${usPerSpan[0].length} requests of ${template.spans} spans: base ${median(usPerSpan[0]).toFixed(2)} µs/span, ` +
    `this checkout ${median(usPerSpan[1]).toFixed(2)} µs/span (medians); this / base per request, median: ${median(ratios).toFixed(3)}`,
);
process.exit(0);
