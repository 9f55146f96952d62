import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CaptureServer } from '../collector/forward/capture-server.ts';
import { post } from '../collector/receive/receiver-support.ts';
import { withOwnState } from './support/collect-process.ts';
import { REPO } from './support/cli-process.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

/** The environment without OTLP / tracejudge variables, plus what a test passes. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_') && !key.startsWith('TRACEJUDGE_')));
  return { ...env, ...extra };
}

const children: ChildProcessWithoutNullStreams[] = [];
let capture: CaptureServer | undefined;
let blocker: Server | undefined;

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await capture?.down();
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  capture = undefined;
  blocker = undefined;
});

interface Run {
  readonly code: Promise<number | null>;
  readonly stderr: () => string;
  /** Resolves with the receiver's URL once it listens (rejects if the process exits first). */
  readonly listening: Promise<string>;
}

function collect(args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, ['src/cli/main.ts', 'collect', ...withOwnState(args)], { cwd: REPO, env, stdio: 'pipe' });
  children.push(child);
  let stderr = '';
  const code = new Promise<number | null>((resolve) => child.on('close', resolve));
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (found) resolve(found[1]);
    });
    void code.then((exit) => reject(new Error(`collect exited with ${exit}:\n${stderr}`)));
  });
  listening.catch(() => undefined);
  return { code, stderr: () => stderr, listening };
}

function configFile(yaml: string): string {
  const path = join(makeTempDir('tracejudge-collect-'), 'tracejudge.yaml');
  writeFileSync(path, yaml);
  return path;
}

/** A valid OTLP/JSON request of a little over 300 bytes. */
const body = JSON.stringify({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'x'.repeat(120) } }] },
      scopeSpans: [{ scope: { name: 't' }, spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }],
    },
  ],
});
const JSON_TYPE = { 'content-type': 'application/json' };

async function occupiedPort(): Promise<number> {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
  return (blocker.address() as { port: number }).port;
}

describe('tracejudge collect --config', () => {
  it('takes listen, body limit and header auth from the receiver section', async () => {
    capture = await CaptureServer.start();
    const file = configFile(
      `receiver: { listen: "127.0.0.1:0", maxBodyBytes: 200, auth: { headers: { x-api-key: COLLECT_KEY } } }\nforward: { endpoint: "${capture.tracesUrl}" }\n`,
    );
    const run = collect(['--config', file, '--metrics-listen', '127.0.0.1:0'], cleanEnv({ COLLECT_KEY: 'from-env' }));
    const url = await run.listening;
    expect(run.stderr()).toContain('x-api-key header required');
    expect((await post(`${url}/v1/traces`, body, JSON_TYPE)).status).toBe(401);
    expect((await post(`${url}/v1/traces`, body, { ...JSON_TYPE, 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await post(`${url}/v1/traces`, body, { ...JSON_TYPE, 'x-api-key': 'from-env' })).status).toBe(413);
    const metricsUrl = /Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(run.stderr())![1];
    const scraped = (await post(metricsUrl, '', {}, 'GET')).body.toString('utf8');
    expect(scraped).toMatch(/tracejudge_receiver_requests_total\{http_route="\/v1\/traces",http_response_status_code="401"[^}]*\} 2\n/);
    expect(scraped).toMatch(/tracejudge_receiver_requests_total\{http_route="\/v1\/traces",http_response_status_code="413"[^}]*\} 1\n/);
  });

  it('lets each flag win over the file: --listen, --max-body-bytes, --auth-header', async () => {
    capture = await CaptureServer.start();
    const port = await occupiedPort();
    const yaml = `receiver: { listen: "127.0.0.1:${port}", maxBodyBytes: 200, auth: { headers: { x-api-key: COLLECT_KEY } } }\nforward: { endpoint: "${capture.tracesUrl}" }\n`;
    const file = configFile(yaml);
    const env = cleanEnv({ COLLECT_KEY: 'from-file-var', FLAG_KEY: 'from-flag-var' });

    // The file's address is taken: without --listen the file's address is what it tries.
    const refused = collect(['--config', file], env);
    expect(await refused.code).toBe(2);
    expect(refused.stderr()).toContain(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`);

    const run = collect(['--config', file, '--listen', '127.0.0.1:0', '--max-body-bytes', '100000', '--auth-header', 'x-api-key=FLAG_KEY'], env);
    const url = await run.listening;
    expect((await post(`${url}/v1/traces`, body, { ...JSON_TYPE, 'x-api-key': 'from-file-var' })).status).toBe(401);
    expect((await post(`${url}/v1/traces`, body, { ...JSON_TYPE, 'x-api-key': 'from-flag-var' })).status).toBe(200);
  });

  it('exits 2 naming the field for a bad receiver section, and the variable when a named one is unset', async () => {
    const bad = collect(['--config', configFile('receiver: { listen: nowhere }\nforward: { endpoint: "http://127.0.0.1:9/v1/traces" }\n')], cleanEnv());
    expect(await bad.code).toBe(2);
    expect(bad.stderr()).toContain('receiver.listen: expected HOST:PORT, e.g. 127.0.0.1:4318 or 0.0.0.0:4318, got "nowhere"');

    const yaml = 'receiver: { listen: "127.0.0.1:0", auth: { bearerTokenEnv: COLLECT_TOKEN } }\nforward: { endpoint: "http://127.0.0.1:9/v1/traces" }\n';
    const unset = collect(['--config', configFile(yaml)], cleanEnv());
    expect(await unset.code).toBe(2);
    expect(unset.stderr()).toContain('receiver.auth.bearerTokenEnv: variable COLLECT_TOKEN is not set (or empty)');
  });

  it('exits 2 on a malformed --auth-header or --metrics-listen, before reading anything', async () => {
    const header = collect(['--forward', 'http://127.0.0.1:9/v1/traces', '--auth-header', 'x-api-key'], cleanEnv());
    expect(await header.code).toBe(2);
    expect(header.stderr()).toContain('--auth-header expects NAME=ENV_VAR (the variable holds the value), got "x-api-key"');
    const metrics = collect(['--forward', 'http://127.0.0.1:9/v1/traces', '--metrics-listen', '9464'], cleanEnv());
    expect(await metrics.code).toBe(2);
    expect(metrics.stderr()).toContain('--metrics-listen expects HOST:PORT (e.g. 127.0.0.1:4318), got "9464"');
  });
});

describe('tracejudge collect --help', () => {
  it('names every config section collect reads (all but offline) and its exit codes', async () => {
    const { runCli } = await import('./support/cli-process.ts');
    const { TracejudgeConfigSchema } = await import('../../src/config/index.ts');
    const help = await runCli(['collect', '--help']);
    expect(help.code).toBe(0);
    const text = help.stdout.replace(/\s+/g, ' ');
    const sections = Object.keys(TracejudgeConfigSchema.shape).filter((name) => name !== 'offline');
    expect(sections.length).toBeGreaterThan(10);
    for (const section of sections) expect(text, section).toMatch(new RegExp(`[ :,]${section}[ ,;]`));
    expect(text).toContain('Exit codes: 0 drained and stopped');
  });
});
