/**
 * Collector transports and the forward queue's home (Issue 15): `tracejudge collect` as the CLI runs
 * it (checks + sampling decisions, no judge) under the same closed-loop load, received over
 * OTLP/HTTP protobuf or OTLP/gRPC, forwarding with the queue in memory or on disk (node:sqlite,
 * collect's default since issue 15). Same run, rounds in rotating order; each ratio is the median of
 * the rounds' ratios to their own HTTP + memory phase.
 *
 *   node bench/collector-transports.ts   (BENCH_COLLECTOR_SECONDS=10 per phase, BENCH_COLLECTOR_ROUNDS=3)
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, runSuite, type BenchRow } from './bench-table.ts';
import { nextMessage, phase, spansPerSecond, type Phase, type ServerSetup } from './collector-phase.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const MAX_PHASE_MS = 60_000;
const MAX_ROUNDS = 9;
const CLOSED_CONCURRENCY = 8;
const OPEN_CONVERSATIONS = 5_000;
const WARMUP_MS = 3_000;

const SETUPS = {
  http: { mode: 'collect', transport: 'http', queue: 'memory' },
  grpc: { mode: 'collect', transport: 'grpc', queue: 'memory' },
  disk: { mode: 'collect', transport: 'http', queue: 'disk' },
} as const satisfies Record<string, ServerSetup>;
type SetupName = keyof typeof SETUPS;

export async function runTransportsBench(options: { phaseSeconds?: number; rounds?: number } = {}): Promise<BenchRow[]> {
  const durationMs = Math.min(MAX_PHASE_MS, (options.phaseSeconds ?? Number(process.env.BENCH_COLLECTOR_SECONDS ?? 10)) * 1000);
  const roundCount = Math.min(MAX_ROUNDS, Math.max(1, Math.floor(options.rounds ?? Number(process.env.BENCH_COLLECTOR_ROUNDS ?? 3))));
  const load = fork(`${HERE}collector-load.ts`, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { url: sinkUrl } = await nextMessage<{ url: string }>(load, 'sink');
    const closed = { mode: 'closed', concurrency: CLOSED_CONCURRENCY, durationMs, maxRequests: 100_000, openConversations: OPEN_CONVERSATIONS } as const;
    // Not counted: warms the load process's HTTP and gRPC code and the sink.
    await phase(load, sinkUrl, SETUPS.http, { ...closed, durationMs: WARMUP_MS });
    await phase(load, sinkUrl, SETUPS.grpc, { ...closed, durationMs: WARMUP_MS });
    const names = Object.keys(SETUPS) as SetupName[];
    const rounds: Record<SetupName, Phase>[] = [];
    for (let i = 0; i < roundCount; i++) {
      // The order rotates, so no setup always runs first (the machine's load drifts over a run).
      const order = names.map((_, k) => names[(k + i) % names.length]!);
      const measured: Partial<Record<SetupName, Phase>> = {};
      for (const name of order) measured[name] = await phase(load, sinkUrl, SETUPS[name], closed);
      rounds.push(measured as Record<SetupName, Phase>);
    }
    const of = (name: SetupName) => rounds.map((round) => round[name]);
    const rate = (name: SetupName) => median(of(name).map(spansPerSecond));
    const ratio = (name: SetupName, value: (p: Phase) => number) => median(rounds.map((round) => value(round[name]) / value(round.http)));
    const listed = (values: readonly number[], digits: number) => values.map((value) => value.toFixed(digits)).join(' · ');
    const p99 = (p: Phase) => p.load.latencyMs.p99;
    const p50 = (p: Phase) => p.load.latencyMs.p50;
    const grpcAccepted = (p: Phase) => p.server.stats.grpc?.spansAccepted ?? 0;
    const cpuPer1000 = (p: Phase) => ((p.server.cpuUserMs + p.server.cpuSystemMs) / (p.server.stats.receiver.spansAccepted + grpcAccepted(p))) * 1000;
    const notOk = (p: Phase) => Object.entries(p.load.statuses).filter(([status]) => status !== '200' && status !== 'grpc-0').reduce((sum, [, count]) => sum + count, 0);
    const rows: BenchRow[] = [
      { name: `collect over OTLP/HTTP protobuf, queue in memory, sustained, median of ${roundCount}`, value: Math.round(rate('http')), unit: `spans/s (${listed(of('http').map(spansPerSecond), 0)})` },
      {
        name: `collect over OTLP/gRPC, queue in memory, sustained; ratio: median of the rounds' gRPC / HTTP`,
        value: Math.round(rate('grpc')),
        unit: `spans/s (${listed(of('grpc').map(spansPerSecond), 0)}; ratios ${listed(rounds.map((r) => spansPerSecond(r.grpc) / spansPerSecond(r.http)), 2)})`,
        baseline: Math.round(rate('http')),
        ratio: ratio('grpc', spansPerSecond),
      },
      { name: 'gRPC request latency p50 / HTTP, medians', value: round(median(of('grpc').map(p50))), unit: 'ms', baseline: round(median(of('http').map(p50))), ratio: ratio('grpc', p50) },
      { name: 'gRPC request latency p99 / HTTP, medians', value: round(median(of('grpc').map(p99))), unit: 'ms', baseline: round(median(of('http').map(p99))), ratio: ratio('grpc', p99) },
      { name: 'collector CPU per 1000 spans, gRPC / HTTP, medians', value: round(median(of('grpc').map(cpuPer1000))), unit: 'ms', baseline: round(median(of('http').map(cpuPer1000))), ratio: ratio('grpc', cpuPer1000) },
      {
        name: `collect over HTTP, queue on disk (node:sqlite, the default), sustained; ratio: median of the rounds' disk / memory`,
        value: Math.round(rate('disk')),
        unit: `spans/s (${listed(of('disk').map(spansPerSecond), 0)}; ratios ${listed(rounds.map((r) => spansPerSecond(r.disk) / spansPerSecond(r.http)), 2)})`,
        baseline: Math.round(rate('http')),
        ratio: ratio('disk', spansPerSecond),
      },
      { name: 'queue on disk: request latency p99 / memory, medians', value: round(median(of('disk').map(p99))), unit: `ms (p50 ${round(median(of('disk').map(p50)))} vs ${round(median(of('http').map(p50)))})`, baseline: round(median(of('http').map(p99))), ratio: ratio('disk', p99) },
      { name: 'queue on disk: collector CPU per 1000 spans / memory, medians', value: round(median(of('disk').map(cpuPer1000))), unit: 'ms', baseline: round(median(of('http').map(cpuPer1000))), ratio: ratio('disk', cpuPer1000) },
      { name: 'peak RSS: gRPC / disk / HTTP-memory (highest phase)', value: mib(Math.max(...of('grpc').map((p) => p.server.maxRssBytes))), unit: `MiB (disk ${mib(Math.max(...of('disk').map((p) => p.server.maxRssBytes)))})`, baseline: mib(Math.max(...of('http').map((p) => p.server.maxRssBytes))) },
      { name: 'spans the gRPC receiver counted, all gRPC phases (load\'s accepted count in unit)', value: of('grpc').reduce((sum, p) => sum + grpcAccepted(p), 0), unit: `spans (load: ${of('grpc').reduce((sum, p) => sum + p.load.spansAccepted, 0)})` },
      { name: 'requests not answered OK (all phases)', value: rounds.flatMap((round) => Object.values(round)).reduce((sum, p) => sum + notOk(p), 0), unit: 'requests', target: '0 in a closed loop' },
    ];
    return rows;
  } finally {
    load.send({ type: 'exit' });
  }
}

const round = (value: number) => Math.round(value * 100) / 100;
const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);

if (import.meta.main) await runSuite('Collector transports (OTLP/HTTP vs OTLP/gRPC) and the forward queue (memory vs disk)', () => runTransportsBench());
