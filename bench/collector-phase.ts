/**
 * One measured phase of the collector benches: a fresh collector process (bench/collector-server.ts)
 * under one run of the load process (bench/collector-load.ts), then its stats, peak RSS and CPU.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadRun } from './collector-load.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));

export interface Phase {
  readonly load: LoadResult;
  readonly server: { readonly stats: any; readonly maxRssBytes: number; readonly cpuUserMs: number; readonly cpuSystemMs: number };
}

/** How the collector under test runs: what it evaluates, which transport the load uses, where its forward queue lives. */
export interface ServerSetup {
  readonly mode: 'relay' | 'checks' | 'collect' | 'relay-reencode' | 'checks-reencode';
  readonly transport?: 'http' | 'grpc';
  readonly queue?: 'memory' | 'disk';
}

export function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null) => reject(new Error(`${child.spawnargs.join(' ')} exited with ${code} before "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function phase(load: ChildProcess, sinkUrl: string, setup: ServerSetup | ServerSetup['mode'], run: Omit<LoadRun, 'target' | 'transport'>): Promise<Phase> {
  const { mode, transport = 'http', queue = 'memory' } = typeof setup === 'string' ? { mode: setup } : setup;
  const profileDir = process.env.BENCH_CPU_PROF;
  const execArgv = profileDir ? [`--cpu-prof`, `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=collector-${mode}-${transport}-${queue}-${run.mode}.cpuprofile`] : [];
  const server = fork(`${HERE}collector-server.ts`, [mode, sinkUrl, transport, queue], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url, grpcTarget } = await nextMessage<{ url: string; grpcTarget?: string }>(server, 'ready');
  const result = nextMessage<{ result: LoadResult }>(load, 'result');
  load.send({ type: 'run', run: { ...run, transport, target: transport === 'grpc' ? grpcTarget : url } });
  const { result: loadResult } = await result;
  const stopped = nextMessage<Phase['server']>(server, 'stopped');
  server.send({ type: 'stop' });
  const serverResult = await stopped;
  await new Promise((resolve) => (server.exitCode !== null ? resolve(undefined) : server.once('exit', resolve)));
  return { load: loadResult, server: serverResult };
}

export const spansPerSecond = (p: Phase) => (p.load.spansAccepted / p.load.elapsedMs) * 1000;
