import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureServer } from '../collector/forward/capture-server.ts';
import { forwardedSpans, post } from '../collector/receive/receiver-support.ts';
import { REPO } from './support/cli-process.ts';
import { withOwnState } from './support/collect-process.ts';

let child: ChildProcessWithoutNullStreams | undefined;
let capture: CaptureServer | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await capture?.down();
  child = undefined;
  capture = undefined;
});

const SPANS_PER_REQUEST = 20;

/** Never all zeros (an invalid span id, rejected as partial success). */
const spanIdOf = (n: number, i: number) => `${(n + 1).toString(16).padStart(8, '0')}${i.toString(16).padStart(8, '0')}`;

/** An OTLP/JSON request of spans with ids unique to request `n`. */
function requestBody(n: number): string {
  const traceId = `${n.toString(16).padStart(8, '0')}${'ab'.repeat(12)}`;
  const spans = Array.from({ length: SPANS_PER_REQUEST }, (_, i) => ({
    traceId,
    spanId: spanIdOf(n, i),
    name: `work ${n}.${i}`,
    startTimeUnixNano: '1750000000000000000',
    endTimeUnixNano: '1750000000001000000',
    attributes: [{ key: 'payload', value: { stringValue: 'x'.repeat(500) } }],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: { name: 'load' }, spans }] }] });
}

describe('tracejudge collect under SIGTERM', () => {
  it('mid-load: every span it answered 200 for is forwarded before it exits 0; the rest were refused retryably', async () => {
    capture = await CaptureServer.start();
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_') && !key.startsWith('TRACEJUDGE_')));
    child = spawn(process.execPath, ['src/cli/main.ts', 'collect', ...withOwnState(['--listen', '127.0.0.1:0', '--forward', capture.tracesUrl])], { cwd: REPO, env, stdio: 'pipe' });
    let stderr = '';
    const exit = new Promise<number | null>((resolve) => child!.on('close', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child!.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (found) resolve(found[1]);
      });
      void exit.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });

    // Four senders keep requests in flight; SIGTERM lands after the first few dozen are answered.
    const accepted: number[] = [];
    const refused: Record<string, number> = {};
    let next = 0;
    let signalled = false;
    const sender = async () => {
      while (next < 400) {
        const n = next++;
        const answer = await post(`${url}/v1/traces`, requestBody(n), { 'content-type': 'application/json' }).catch(() => ({ status: -1 }));
        if (answer.status === 200) accepted.push(n);
        else refused[answer.status] = (refused[answer.status] ?? 0) + 1;
        if (answer.status !== 200 && signalled) return; // refused (503 draining, or connection refused): the sender would retry later
        if (accepted.length === 40 && !signalled) {
          signalled = true;
          child!.kill('SIGTERM');
        }
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    expect(await exit).toBe(0);

    expect(signalled).toBe(true);
    expect(accepted.length).toBeGreaterThanOrEqual(40);
    for (const status of Object.keys(refused)) expect(['503', '-1']).toContain(status);
    const forwarded = new Set(forwardedSpans(capture).map((span) => span.spanId));
    const missing = accepted.flatMap((n) =>
      Array.from({ length: SPANS_PER_REQUEST }, (_, i) => spanIdOf(n, i)).filter((id) => !forwarded.has(id)),
    );
    expect(missing).toEqual([]);
    expect(forwarded.size).toBe(accepted.length * SPANS_PER_REQUEST);
    expect(stderr).toContain(`stopped; ${accepted.length * SPANS_PER_REQUEST} spans accepted, 0 rejected`);
    expect(stderr).not.toContain('dropped');
  });
});
