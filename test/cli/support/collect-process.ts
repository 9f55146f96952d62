import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { REPO } from './cli-process.ts';

/** The environment without OTLP exporter or tracejudge variables, so only what a test passes configures collect. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_') && !key.startsWith('TRACEJUDGE_')));
  return { ...env, ...extra };
}

export interface RunningCollect {
  readonly process: ChildProcessWithoutNullStreams;
  readonly url: string;
  stderr(): string;
  readonly exit: Promise<number | null>;
}

/**
 * `--state-dir` of a fresh temporary directory unless the test gives one (or `--memory-queue`), and a
 * free gRPC port: collectors started side by side must not share the default queue file or port.
 */
export function withOwnState(args: readonly string[]): string[] {
  const own = [...args];
  // The default gRPC port (4317) would be shared by collectors started side by side.
  if (!own.includes('--grpc-listen')) own.push('--grpc-listen', '127.0.0.1:0');
  if (own.includes('--state-dir') || own.includes('--memory-queue')) return own;
  return [...own, '--state-dir', mkdtempSync(join(tmpdir(), 'tracejudge-state-'))];
}

/** Starts `tracejudge collect` and resolves once it says where it listens. */
export function startCollect(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunningCollect> {
  const child = spawn(process.execPath, ['src/cli/main.ts', 'collect', ...withOwnState(args)], { cwd: REPO, env, stdio: 'pipe' });
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (listening) resolve({ process: child, url: listening[1], stderr: () => stderr, exit });
    });
    void exit.then((code) => reject(new Error(`collect exited with ${code} before listening:\n${stderr}`)));
  });
}
