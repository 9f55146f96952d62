import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { OTLPLogExporter as OtlpJsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OtlpProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeLogsRequest } from '../../src/otlp/index.ts';
import type { DecodedLogRecord } from '../../src/otlp/index.ts';
import { CaptureServer, eventually } from '../collector/forward/capture-server.ts';
import { evaluationLabels, forwardedSpans } from '../collector/receive/receiver-support.ts';
import { installContextManager } from '../instrumentation/tracing-harness.ts';
import { contribHandler, contribOpenAI, GROUNDED, runContribConversation, UNGROUNDED } from '../support/contrib-openai.ts';
import type { ContribScript } from '../support/contrib-openai.ts';
import { startOpenAITestServer } from '../support/openai-test-server.ts';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { cleanEnv, startCollect as startCollectProcess } from './support/collect-process.ts';

let model: OpenAITestServer;
let child: ChildProcessWithoutNullStreams | undefined;

/** collect forwarding to `forward`, on a free port; killed after each test, whatever happened. */
async function startCollect(forward: string, env: NodeJS.ProcessEnv, extra: string[] = []) {
  const collect = await startCollectProcess(['--listen', '127.0.0.1:0', '--forward', forward, ...extra], env);
  child = collect.process;
  return collect;
}
let capture: CaptureServer | undefined;

beforeAll(async () => {
  installContextManager();
  model = await startOpenAITestServer(contribHandler([GROUNDED, UNGROUNDED]));
});
afterAll(() => model.close());
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await capture?.down();
  child = undefined;
  capture = undefined;
});

/** An agent process's telemetry: the official OTLP trace and log exporters, batches sent only when flushed. */
function agentTelemetry(url: string, encoding: 'proto' | 'json') {
  const traceExporter = encoding === 'proto' ? new OtlpProtoTraceExporter({ url: `${url}/v1/traces` }) : new OtlpJsonTraceExporter({ url: `${url}/v1/traces` });
  const logExporter = encoding === 'proto' ? new OtlpProtoLogExporter({ url: `${url}/v1/logs` }) : new OtlpJsonLogExporter({ url: `${url}/v1/logs` });
  const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: traceExporter, scheduledDelayMillis: 60_000 })] });
  const loggerProvider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: logExporter, scheduledDelayMillis: 60_000 })] });
  return { tracerProvider, loggerProvider };
}

async function runAgent(url: string, script: ContribScript, encoding: 'proto' | 'json', first: 'logs' | 'spans'): Promise<void> {
  const { tracerProvider, loggerProvider } = agentTelemetry(url, encoding);
  const OpenAI = contribOpenAI(tracerProvider, loggerProvider);
  await runContribConversation(new OpenAI({ baseURL: model.baseURL, apiKey: 'test', maxRetries: 0 }), script, tracerProvider);
  if (first === 'logs') {
    await loggerProvider.forceFlush();
    await tracerProvider.forceFlush();
  } else {
    await tracerProvider.forceFlush();
    await loggerProvider.forceFlush();
  }
  await tracerProvider.shutdown();
  await loggerProvider.shutdown();
}

function forwardedLogs(server: CaptureServer): DecodedLogRecord[] {
  return server.requests
    .filter((r) => r.path.endsWith('/v1/logs') && r.status !== undefined && r.status < 300)
    .flatMap((r) => {
      const body = r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.raw) : r.raw;
      return decodeLogsRequest(body, r.headers['content-type'] === 'application/json' ? 'json' : 'protobuf').records;
    });
}

function labelsByResponse(server: CaptureServer): Record<string, Record<string, unknown>> {
  const byResponse: Record<string, Record<string, unknown>> = {};
  for (const span of forwardedSpans(server)) {
    const labels = evaluationLabels(span);
    if (Object.keys(labels).length > 0) byResponse[String(span.attributes['gen_ai.response.id'])] = labels;
  }
  return byResponse;
}

const EXPECTED = {
  'chatcmpl-contrib-grounded-2': { 'commitment.price': 'pass', 'commitment.time': 'pass', 'commitment.refund': 'pass' },
  'chatcmpl-contrib-grounded-3': { 'commitment.price': 'pass', 'commitment.time': 'pass' },
  'chatcmpl-contrib-ungrounded-2': { 'commitment.price': 'fail', 'commitment.time': 'fail', 'commitment.refund': 'fail' },
  'chatcmpl-contrib-ungrounded-3': { 'commitment.price': 'fail', 'commitment.time': 'fail' },
};

describe('tracejudge collect with the official OpenAI instrumentation (content as log records)', () => {
  it('joins logs and spans sent apart, in either order and either encoding: every reply checked, every record forwarded', async () => {
    capture = await CaptureServer.start();
    const collect = await startCollect(capture.tracesUrl, cleanEnv(), ['--metrics-listen', '127.0.0.1:0']);
    // Logs first (protobuf) for one conversation, spans first (JSON) for the other: those wait for their content.
    await runAgent(collect.url, GROUNDED, 'proto', 'logs');
    await runAgent(collect.url, UNGROUNDED, 'json', 'spans');
    // The join is counted in the metrics too.
    const metricsUrl = /Prometheus metrics on (http:\/\/[^\s]+\/metrics)/.exec(collect.stderr())![1]!;
    const metrics = await (await fetch(metricsUrl)).text();
    expect(metrics).toMatch(/tracejudge_content_records_total\{[^}]*outcome="joined"[^}]*\} 26/);
    expect(metrics).toMatch(/tracejudge_join_spans_waited_total\{[^}]*release="content"[^}]*\} 3/);
    expect(metrics).toMatch(/tracejudge_receiver_log_records_total\{[^}]*outcome="accepted"[^}]*\} 26/);
    child!.kill('SIGTERM');
    expect(await collect.exit).toBe(0);

    expect(labelsByResponse(capture)).toEqual(EXPECTED);
    // Every record the agents logged reached the upstream's /v1/logs, as sent.
    const logs = forwardedLogs(capture);
    expect(logs.filter((record) => String(record.attributes['event.name']).startsWith('gen_ai.'))).toHaveLength(26);
    expect(forwardedSpans(capture)).toHaveLength(10);
    expect(collect.stderr()).toMatch(/26 GenAI content records, 26 joined to their spans, 0 spans evaluated late/);
    expect(collect.stderr()).toMatch(/3 spans waited for content \(3 got it, 0 at the 2000 ms deadline/);
  });

  it('content that comes after its span was forwarded is still checked: results go out as log events with the span\'s ids', async () => {
    capture = await CaptureServer.start();
    const collect = await startCollect(capture.tracesUrl, cleanEnv({ TRACEJUDGE_JOIN_WAIT_MS: '0' }));
    await runAgent(collect.url, GROUNDED, 'proto', 'spans');
    await runAgent(collect.url, UNGROUNDED, 'json', 'spans');
    await eventually(() => forwardedLogs(capture!).some((record) => record.eventName === 'gen_ai.evaluation.result' && record.attributes['gen_ai.response.id'] === 'chatcmpl-contrib-ungrounded-3'), 'late results as log events');
    child!.kill('SIGTERM');
    expect(await collect.exit).toBe(0);

    // The spans went out before their content came: no events on them.
    expect(labelsByResponse(capture)).toEqual({});
    const chatSpans = new Map(forwardedSpans(capture).filter((span) => span.name.startsWith('chat')).map((span) => [span.spanId, span]));
    const late: Record<string, Record<string, unknown>> = {};
    for (const record of forwardedLogs(capture)) {
      if (record.eventName !== 'gen_ai.evaluation.result') continue;
      const span = chatSpans.get(record.spanId!);
      expect(span?.traceId).toBe(record.traceId);
      (late[String(record.attributes['gen_ai.response.id'])] ??= {})[String(record.attributes['gen_ai.evaluation.name'])] = record.attributes['gen_ai.evaluation.score.label'];
    }
    expect(late).toEqual(EXPECTED);
    expect(collect.stderr()).toMatch(/26 GenAI content records, 0 joined to their spans, 6 spans evaluated late/);
  });

  it('events.logs with events.spans off: every result is a log event with the span\'s ids, none on the spans', async () => {
    capture = await CaptureServer.start();
    const collect = await startCollect(capture.tracesUrl, cleanEnv({ TRACEJUDGE_EVENTS_LOGS: 'true', TRACEJUDGE_EVENTS_SPANS: 'false' }));
    await runAgent(collect.url, GROUNDED, 'proto', 'logs');
    await runAgent(collect.url, UNGROUNDED, 'json', 'spans');
    child!.kill('SIGTERM');
    expect(await collect.exit).toBe(0);
    expect(labelsByResponse(capture)).toEqual({});
    const spans = new Map(forwardedSpans(capture).map((span) => [span.spanId, span]));
    const fromLogs: Record<string, Record<string, unknown>> = {};
    for (const record of forwardedLogs(capture)) {
      if (record.eventName !== 'gen_ai.evaluation.result') continue;
      expect(spans.get(record.spanId!)?.traceId).toBe(record.traceId);
      (fromLogs[String(record.attributes['gen_ai.response.id'])] ??= {})[String(record.attributes['gen_ai.evaluation.name'])] = record.attributes['gen_ai.evaluation.score.label'];
    }
    expect(fromLogs).toEqual(EXPECTED);
  });
});
