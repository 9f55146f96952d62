/**
 * The collector under test, in a process of its own (forked by bench/collector.ts, so its
 * peak RSS and CPU profile are its own). Modes:
 * - `relay`: the same OTLP/HTTP receiver and forwarder with no evaluation at all — decode,
 *   encode (received bytes kept), forward: the bare baseline.
 * - `relay-reencode`, `checks-reencode`: `relay` and `checks` with every batch encoded by the
 *   official `ProtobufTraceSerializer`, as the forwarder did before it kept received bytes.
 * - `checks`: `CollectorService` with the built-in checks on every span and no online stage — the
 *   benchmark's "checks on";
 * - `collect`: as `tracejudge collect` runs it with the default config: the checks, plus the online
 *   stage's sampling decision on every turn span (no judge section, so nothing is judged).
 *
 * The load arrives over OTLP/HTTP, or OTLP/gRPC (`grpc`: the gRPC receiver beside HTTP, as
 * `collect --grpc-listen` runs it); the forward queue is in memory, or on disk (`disk`: node:sqlite
 * in a temporary state directory, `collect`'s default).
 *
 *   node bench/collector-server.ts <relay|checks|collect>[-reencode] <sink URL> [http|grpc] [memory|disk]   (--cpu-prof to profile)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { createOnlineStage, pipelineOptionsFromConfig } from '../processors/index.ts';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { OtlpForwarder } from '../src/collector/forward/forwarder.ts';
import type { DecodedSpan } from '../src/otlp/index.ts';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { OtlpHttpReceiver } from '../src/collector/receive/receiver.ts';
import type { ReceiverIntake } from '../src/collector/receive/receiver.ts';
import { CollectorService } from '../src/collector/service.ts';
import { ForwardConfigSchema } from '../src/config/forward.ts';
import { resolveConfig } from '../src/config/index.ts';

diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

const [requested, sinkUrl, transport = 'http', queue = 'memory'] = process.argv.slice(2);
const reencode = requested.endsWith('-reencode');
const mode = requested.replace(/-reencode$/, '');
const officialEncoding = (spans: readonly ReadableSpan[]) => ({ body: ProtobufTraceSerializer.serializeRequest([...spans])!, contentType: 'application/x-protobuf' });
const stateDir = queue === 'disk' ? mkdtempSync(join(tmpdir(), 'tracejudge-bench-state-')) : undefined;
const forwardConfig = ForwardConfigSchema.parse({ endpoint: sinkUrl, timeout: '30s', ...(stateDir && { queue: { persistPath: join(stateDir, 'forward-queue.db') } }) });
const forwarder = new OtlpForwarder(forwardConfig, { flushTimeoutMs: 30_000, shutdownTimeoutMs: 30_000, ...(reencode && { encode: officialEncoding }) });
const receiverOptions = { host: '127.0.0.1', port: 0 };

let stop: () => Promise<void>;
let stats: () => unknown;
let url: string;
let grpcTarget: string | undefined;

if (mode === 'relay') {
  const maxSpans = forwardConfig.queue.maxSpans;
  const intake: ReceiverIntake = {
    acceptSpans(spans: DecodedSpan[]) {
      if (forwarder.stats().queuedSpans + spans.length > maxSpans) return { accepted: false, status: 429, message: 'queue full' };
      return forwarder.enqueue(spans.map((span) => span.toReadableSpan())) ? { accepted: true } : { accepted: false, status: 429, message: 'saturated' };
    },
    acceptLogs: (_decoded, body, contentType, contentEncoding) =>
      forwarder.logsUrl === undefined ? Promise.resolve({ status: 200 }) : forwarder.forwardLogs(body, contentType, contentEncoding),
    notReadyReason: () => undefined,
  };
  const receiver = new OtlpHttpReceiver(intake, receiverOptions);
  url = `http://127.0.0.1:${(await receiver.listen()).port}`;
  stop = async () => {
    await receiver.drain();
    await forwarder.forceFlush();
    await forwarder.shutdown();
  };
  stats = () => ({ receiver: receiver.stats(), forwarder: forwarder.stats() });
} else if (mode === 'checks' || mode === 'collect') {
  const config = resolveConfig({}, { env: {} });
  const pipeline = pipelineOptionsFromConfig(config);
  let service: CollectorService | undefined;
  // The wiring of src/cli/commands/collect.ts: the online stage's check sinks on the pipeline, the stage after it.
  const online = mode === 'collect' ? await createOnlineStage(config, { conversationOfTrace: (traceId) => service?.conversationOfTrace(traceId) }) : undefined;
  service = new CollectorService({
    forwarder,
    pipeline: online ? { ...pipeline, sinks: [...(pipeline.sinks ?? []), ...online.checkSinks] } : pipeline,
    receiver: receiverOptions,
    ...(transport === 'grpc' && { grpc: { host: '127.0.0.1', port: 0 } }),
    forwarderMaxQueuedSpans: forwardConfig.queue.maxSpans,
    forwarderMaxQueuedBytes: forwardConfig.queue.maxBytes,
    ...(online && { stages: [online.stage] }),
  });
  const running = service;
  url = `http://127.0.0.1:${(await running.start()).port}`;
  if (transport === 'grpc') grpcTarget = `127.0.0.1:${running.grpcPort}`;
  stop = async () => {
    await running.stop();
    await online?.close();
  };
  stats = () => running.stats();
} else {
  throw new Error(`mode must be relay, checks or collect, got ${JSON.stringify(mode)}`);
}
if (transport === 'grpc' && grpcTarget === undefined) throw new Error(`mode ${mode} has no gRPC receiver (checks or collect)`);

process.send!({ type: 'ready', url, grpcTarget });
process.on('message', (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  void stop().then(() => {
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    const usage = process.resourceUsage();
    process.send!({ type: 'stopped', stats: stats(), maxRssBytes: usage.maxRSS * 1024, cpuUserMs: usage.userCPUTime / 1000, cpuSystemMs: usage.systemCPUTime / 1000 });
    process.disconnect();
  });
});
