import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureServer } from '../collector/forward/capture-server.ts';
import { forwardedSpans, post } from '../collector/receive/receiver-support.ts';
import { cleanEnv, startCollect } from './support/collect-process.ts';

let running: ChildProcessWithoutNullStreams[] = [];
let capture: CaptureServer | undefined;
afterEach(async () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  running = [];
  await capture?.down();
  capture = undefined;
});

const SPANS = 10;
function body(n: number): string {
  const traceId = `${(n + 1).toString(16).padStart(8, '0')}${'cd'.repeat(12)}`;
  const spans = Array.from({ length: SPANS }, (_, i) => ({
    traceId,
    spanId: `${(n + 1).toString(16).padStart(8, '0')}${(i + 1).toString(16).padStart(8, '0')}`,
    name: `work ${n}.${i}`,
    startTimeUnixNano: '1750000000000000000',
    endTimeUnixNano: '1750000000001000000',
  }));
  return JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: { name: 'load' }, spans }] }] });
}

async function sendAll(url: string, requests: number): Promise<number> {
  let accepted = 0;
  for (let n = 0; n < requests; n++) if ((await post(`${url}/v1/traces`, body(n), { 'content-type': 'application/json' })).status === 200) accepted += SPANS;
  return accepted;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!condition() && Date.now() - start < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('tracejudge collect: nothing accepted is lost by default', () => {
  it('upstream down, SIGTERM: the accepted spans wait in the state directory and the next start delivers every one', async () => {
    capture = await CaptureServer.start();
    const upstream = capture.tracesUrl;
    await capture.down();
    const state = mkdtempSync(join(tmpdir(), 'tracejudge-state-'));
    const first = await startCollect(['--listen', '127.0.0.1:0', '--forward', upstream, '--state-dir', state], cleanEnv());
    running.push(first.process);
    expect(first.stderr()).toContain(`forward queue on disk in ${join(state, 'forward-queue.db')}`);
    const accepted = await sendAll(first.url, 12);
    expect(accepted).toBe(12 * SPANS);
    first.process.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    // Said on stderr by default (warn level): where the spans wait.
    expect(first.stderr()).toMatch(/tracejudge: warn: \d+ batches stay in .*forward-queue\.db for the next start/);
    expect(first.stderr()).toContain(`stopped; ${accepted} spans accepted, 0 rejected, 0 replies checked, 0 spans forwarded\n`);

    await capture.up();
    const second = await startCollect(['--listen', '127.0.0.1:0', '--forward', upstream, '--state-dir', state], cleanEnv());
    running.push(second.process);
    await until(() => forwardedSpans(capture!).length >= accepted, 15_000);
    const delivered = new Set(forwardedSpans(capture).map((span) => span.spanId));
    expect(delivered.size).toBe(accepted);
    second.process.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  }, 60_000);

  it('--memory-queue: the documented loss is said on stderr, counted in the closing summary', async () => {
    capture = await CaptureServer.start();
    const upstream = capture.tracesUrl;
    await capture.down();
    const collect = await startCollect(['--listen', '127.0.0.1:0', '--forward', upstream, '--memory-queue'], cleanEnv());
    running.push(collect.process);
    expect(collect.stderr()).toContain('forward queue in memory only (--memory-queue)');
    const accepted = await sendAll(collect.url, 3);
    collect.process.kill('SIGTERM');
    expect(await collect.exit).toBe(0);
    expect(collect.stderr()).toMatch(new RegExp(`tracejudge: error: ${accepted} accepted spans were lost at shutdown: .* the persistent queue is off`));
    expect(collect.stderr()).toMatch(/tracejudge collect: logged 1 error\(s\) \(tracejudge\/forwarder 1\), \d+ warning\(s\)/);
  }, 60_000);

  it('a state directory that cannot be used, or one another collector holds, stops the start with exit 2', async () => {
    capture = await CaptureServer.start();
    const file = join(mkdtempSync(join(tmpdir(), 'tracejudge-state-')), 'a-file');
    writeFileSync(file, 'not a directory');
    const bad = startCollect(['--listen', '127.0.0.1:0', '--forward', capture.tracesUrl, '--state-dir', join(file, 'state')], cleanEnv());
    await expect(bad).rejects.toThrow(/collect exited with 2 before listening:[\s\S]*state directory .*a-file\/state is not writable \(ENOTDIR\)/);
    const state = mkdtempSync(join(tmpdir(), 'tracejudge-state-'));
    const holder = await startCollect(['--listen', '127.0.0.1:0', '--forward', capture.tracesUrl, '--state-dir', state], cleanEnv());
    running.push(holder.process);
    const second = startCollect(['--listen', '127.0.0.1:0', '--forward', capture.tracesUrl, '--state-dir', state], cleanEnv());
    await expect(second).rejects.toThrow(/collect exited with 2 before listening:[\s\S]*forward-queue\.db"?: is locked by another process/);
    expect((await startCollect(['--memory-queue', '--state-dir', state, '--forward', capture.tracesUrl], cleanEnv()).catch((error: Error) => error.message))).toMatch(/--state-dir .* or --memory-queue, not both/);
    const bogus = startCollect(['--listen', '127.0.0.1:0', '--forward', capture.tracesUrl, '--log-level', 'loud'], cleanEnv());
    await expect(bogus).rejects.toThrow(/--log-level expects one of none, error, warn, info, debug, verbose, all, got "loud"/);
  }, 60_000);
});
