import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { recordSpans } from '../otlp/sdk-spans.ts';
import { CaptureServer } from '../collector/forward/capture-server.ts';
import { GrpcCaptureServer } from '../collector/forward/grpc-capture-server.ts';
import { evaluationLabels, exportWith, forwardedSpans } from '../collector/receive/receiver-support.ts';
import { REPO, runCli } from './support/cli-process.ts';
import { cleanEnv, startCollect as startCollectProcess } from './support/collect-process.ts';
import { turnSpecs } from './support/turns.ts';

let child: ChildProcessWithoutNullStreams | undefined;

/** The running collect is killed after each test, whatever happened. */
async function startCollect(args: string[], env: NodeJS.ProcessEnv) {
  const collect = await startCollectProcess(args, env);
  child = collect.process;
  return collect;
}
let capture: CaptureServer | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await capture?.down();
  child = undefined;
  capture = undefined;
});

describe('tracejudge collect', () => {
  it('receives from the official exporter, forwards with events, and on SIGTERM drains, flushes and exits 0', async () => {
    capture = await CaptureServer.start();
    const collect = await startCollect(
      ['--listen', '127.0.0.1:0', '--forward', capture.tracesUrl],
      cleanEnv({ TRACEJUDGE_RECEIVER_BEARER_TOKEN: 'let-me-in' }),
    );
    expect(collect.stderr()).toContain(`forwarding to ${capture.tracesUrl}, bearer token required`);
    const spans = await recordSpans(turnSpecs({ conversationId: 'cli', toolResult: { price: '$249.00' }, reply: 'Only $199.00 tonight.', at: 1_750_000_000 }));
    const result = await exportWith('proto', collect.url, spans, { headers: { Authorization: 'Bearer let-me-in' } });
    expect(result.code).toBe(ExportResultCode.SUCCESS);

    child!.kill('SIGTERM');
    expect(await collect.exit).toBe(0);
    // Forwarded by the time the process is gone: the shutdown flushed the forwarder.
    const forwarded = forwardedSpans(capture);
    expect(forwarded).toHaveLength(3);
    expect(evaluationLabels(forwarded.find((span) => span.name.startsWith('chat'))!)).toEqual({ 'commitment.price': 'fail' });
    expect(collect.stderr()).toContain('SIGTERM: draining');
    expect(collect.stderr()).toContain('stopped; 3 spans accepted, 0 rejected, 1 replies checked, 3 spans forwarded');
  });

  it('takes OTLP/gRPC beside OTLP/HTTP: the official gRPC exporter (gzip, bearer token as metadata) to the running service', async () => {
    capture = await CaptureServer.start();
    const collect = await startCollect(['--listen', '127.0.0.1:0', '--forward', capture.tracesUrl], cleanEnv({ TRACEJUDGE_RECEIVER_BEARER_TOKEN: 'let-me-in' }));
    const grpcPort = /and 127\.0\.0\.1:(\d+) \(OTLP\/gRPC traces and logs\)/.exec(collect.stderr())?.[1];
    expect(grpcPort).toBeDefined();
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
    const { Metadata } = await import('@grpc/grpc-js');
    const metadata = new Metadata();
    metadata.set('authorization', 'Bearer let-me-in');
    const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${grpcPort}`, compression: 'gzip' as never, metadata });
    const spans = await recordSpans(turnSpecs({ conversationId: 'cli-grpc', toolResult: { price: '$249.00' }, reply: 'Only $199.00 tonight.', at: 1_750_000_000 }));
    const result = await new Promise<{ code: number }>((resolve) => exporter.export(spans, resolve));
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    child!.kill('SIGTERM');
    expect(await collect.exit).toBe(0);
    const chat = forwardedSpans(capture).find((span) => span.name.startsWith('chat'))!;
    expect(evaluationLabels(chat)).toEqual({ 'commitment.price': 'fail' });
    expect(collect.stderr()).toContain('stopped; 3 spans accepted, 0 rejected, 1 replies checked, 3 spans forwarded');
  });

  it('forwards over OTLP/gRPC with OTEL_EXPORTER_OTLP_PROTOCOL=grpc: gRPC in, gRPC out, evaluation events on the spans', async () => {
    const upstream = await GrpcCaptureServer.start();
    try {
      const collect = await startCollect(['--listen', '127.0.0.1:0'], cleanEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: upstream.endpoint }));
      expect(collect.stderr()).toContain(`forwarding to ${upstream.endpoint}/ (OTLP/gRPC)`);
      const grpcPort = /and 127\.0\.0\.1:(\d+) \(OTLP\/gRPC traces and logs\)/.exec(collect.stderr())![1];
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
      const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${grpcPort}` });
      const spans = await recordSpans(turnSpecs({ conversationId: 'cli-grpc-out', toolResult: { price: '$249.00' }, reply: 'Only $199.00 tonight.', at: 1_750_000_000 }));
      expect((await new Promise<{ code: number }>((resolve) => exporter.export(spans, resolve))).code).toBe(ExportResultCode.SUCCESS);
      await exporter.shutdown();
      child!.kill('SIGTERM');
      expect(await collect.exit).toBe(0);
      expect(upstream.spans).toHaveLength(3);
      const chat = upstream.spans.find((span) => span.name.startsWith('chat'))!;
      const labels = Object.fromEntries(
        chat.events.filter((event) => event.name === 'gen_ai.evaluation.result').map((event) => [event.attributes['gen_ai.evaluation.name'], event.attributes['gen_ai.evaluation.score.label']]),
      );
      expect(labels).toEqual({ 'commitment.price': 'fail' });
      expect(collect.stderr()).toContain('3 spans forwarded');
    } finally {
      await upstream.down();
    }
  });

  it('refuses to start without an upstream, naming the ways to give one', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const process_ = spawn(process.execPath, ['src/cli/main.ts', 'collect', '--listen', '127.0.0.1:0'], { cwd: REPO, env: cleanEnv() });
      let stderr = '';
      process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      process_.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/forward\.endpoint: no upstream to forward to: pass --forward URL/);
  });

  it('refuses a malformed --listen', async () => {
    const result = await runCli(['collect', '--listen', 'localhost', '--forward', 'http://127.0.0.1:9/v1/traces']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--listen expects HOST:PORT (e.g. 127.0.0.1:4318), got "localhost"');
  });
});
