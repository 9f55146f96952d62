import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  instrumentOpenAI,
  otlpTraceExporterFromEnv,
  setupTracejudge,
  startConversation,
  TracejudgeSetupError,
} from '../../instrumentation/index.ts';
import type { TracejudgeSetupOptions } from '../../instrumentation/index.ts';
import { chatCompletion, startOpenAITestServer } from '../support/openai-test-server.ts';
import { captureDiag } from './tracing-harness.ts';

interface ReceivedExport {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/** A minimal OTLP/HTTP receiver: records each POST and answers 200 in the request's encoding. */
async function startReceiver(): Promise<{ endpoint: string; received: ReceivedExport[]; close(): Promise<void> }> {
  const received: ReceivedExport[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const contentType = String(request.headers['content-type'] ?? '');
    received.push({ path: request.url ?? '', contentType, body: Buffer.concat(chunks) });
    response.writeHead(200, { 'content-type': contentType });
    response.end(contentType.includes('json') ? '{}' : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A chain stage like the evaluation processor: sees every span, forwards it downstream. */
class CountingProcessor implements SpanProcessor {
  readonly ended: string[] = [];
  readonly #downstream: SpanProcessor;
  constructor(downstream: SpanProcessor) {
    this.#downstream = downstream;
  }
  onStart(span: Span, parent: Context): void {
    this.#downstream.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    this.ended.push(span.name);
    this.#downstream.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.#downstream.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.#downstream.shutdown();
  }
}

const ENV_KEYS = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  // setupTracejudge registers globals (NodeSDK.start); each test starts from none.
  trace.disable();
  context.disable();
  propagation.disable();
});

type OtlpJson = {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: { name: string; spanId: string; parentSpanId?: string; attributes: { key: string; value: { stringValue?: string } }[] }[] }[];
  }[];
};

describe('setupTracejudge', () => {
  it('sends the spans of a conversation, its tools and OpenAI calls through the chain to a real OTLP/HTTP JSON receiver', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const openaiServer = await startOpenAITestServer(() => ({ json: chatCompletion('Tuesday is free.') }));
    cleanups.push(() => openaiServer.close());
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = 'http/json';

    let counting: CountingProcessor | undefined;
    const setup = setupTracejudge({
      serviceName: 'clinic-agent',
      resourceAttributes: { 'deployment.environment.name': 'test' },
      spanProcessors: (downstream) => [(counting = new CountingProcessor(downstream))],
    });
    const openai = instrumentOpenAI(new OpenAI({ baseURL: openaiServer.baseURL, apiKey: 'test', maxRetries: 0 }));
    const conversation = startConversation({ id: 'conv-otlp', agentName: 'support', cohort: { vertical: 'clinic' } });
    await conversation.turn('Is Tuesday free?', async (turn) => {
      await turn.tool('lookup_slots', { day: 'tue' }, () => ['10:00']);
      const completion = await openai.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Is Tuesday free?' }] });
      return completion.choices[0]!.message.content;
    });
    await setup.shutdown();

    expect(counting!.ended).toEqual(['execute_tool lookup_slots', 'chat gpt-test', 'invoke_agent support']);
    expect(receiver.received.length).toBeGreaterThanOrEqual(1);
    expect(receiver.received.every((request) => request.path === '/v1/traces' && request.contentType.startsWith('application/json'))).toBe(true);
    const payloads = receiver.received.map((request) => JSON.parse(request.body.toString('utf8')) as OtlpJson);
    const resourceAttributes = payloads[0]!.resourceSpans[0]!.resource.attributes;
    expect(resourceAttributes).toContainEqual({ key: 'service.name', value: { stringValue: 'clinic-agent' } });
    expect(resourceAttributes).toContainEqual({ key: 'deployment.environment.name', value: { stringValue: 'test' } });

    const spans = payloads.flatMap((payload) => payload.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
    const byName = new Map(spans.map((span) => [span.name, span]));
    expect([...byName.keys()].sort()).toEqual(['chat gpt-test', 'execute_tool lookup_slots', 'invoke_agent support']);
    const turn = byName.get('invoke_agent support')!;
    for (const span of spans) {
      expect(span.attributes).toContainEqual({ key: 'gen_ai.conversation.id', value: { stringValue: 'conv-otlp' } });
      if (span !== turn) expect(span.parentSpanId).toBe(turn.spanId);
    }
    expect(turn.attributes).toContainEqual({ key: 'app.vertical', value: { stringValue: 'clinic' } });
  });

  it('defaults to http/protobuf and honours the traces-specific endpoint', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${receiver.endpoint}/custom/traces`;
    const setup = setupTracejudge({ serviceName: 'proto-agent' });
    await startConversation({ id: 'conv-proto', agentName: 'support' }).turn('hi', () => 'hello');
    await setup.forceFlush();
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request!.path).toBe('/custom/traces');
    expect(request!.contentType).toBe('application/x-protobuf');
    // protobuf strings are stored as raw UTF-8: the span name and the conversation id are in the body
    expect(request!.body.includes(Buffer.from('invoke_agent support'))).toBe(true);
    expect(request!.body.includes(Buffer.from('conv-proto'))).toBe(true);
    expect(request!.body.includes(Buffer.from('proto-agent'))).toBe(true);
    await setup.shutdown();
  });

  it('rejects bad configuration at startup with a TracejudgeSetupError naming the field', () => {
    const attempts: [unknown, string][] = [
      [undefined, '"options" must be an object, got undefined'],
      [{ serviceName: '' }, '"serviceName" must be a non-empty string, got string'],
      [{ serviceName: 'x', exporter: {} }, '"exporter" must be a SpanExporter'],
      [{ serviceName: 'x', spanProcessors: [] }, '"spanProcessors" must be a function'],
      [{ serviceName: 'x', spanProcessors: () => 'nope' }, '"spanProcessors(downstream)" must be an array'],
      [{ serviceName: 'x', spanProcessors: (d: SpanProcessor) => [d, { onEnd() {} }] }, '"spanProcessors(downstream)[1]" must be a SpanProcessor'],
    ];
    for (const [options, message] of attempts) {
      expect(() => setupTracejudge(options as TracejudgeSetupOptions)).toThrow(TracejudgeSetupError);
      expect(() => setupTracejudge(options as TracejudgeSetupOptions)).toThrow(message);
    }
  });
});

describe('otlpTraceExporterFromEnv', () => {
  it('picks the official exporter for the protocol: traces-specific variable first, then the general one', async () => {
    const made: { shutdown(): Promise<void> }[] = [];
    const make = () => {
      const exporter = otlpTraceExporterFromEnv({ url: 'http://127.0.0.1:9/v1/traces' });
      made.push(exporter);
      return exporter;
    };
    expect(make()).toBeInstanceOf(ProtoExporter);
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    expect(make()).toBeInstanceOf(JsonExporter);
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = 'http/protobuf';
    expect(make()).toBeInstanceOf(ProtoExporter);
    for (const exporter of made) await exporter.shutdown();
  });

  it('warns about an unsupported protocol and uses http/protobuf', async () => {
    const diagnostics = captureDiag();
    cleanups.push(() => diagnostics.restore());
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = 'grpc';
    const exporter = otlpTraceExporterFromEnv({ url: 'http://127.0.0.1:9/v1/traces' });
    expect(exporter).toBeInstanceOf(ProtoExporter);
    expect(diagnostics.warnings.some((w) => w.includes('unsupported OTLP traces protocol "grpc"'))).toBe(true);
    await exporter.shutdown();
  });
});
