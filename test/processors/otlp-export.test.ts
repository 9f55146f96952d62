import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import OpenAI from 'openai';
import { instrumentOpenAI, startConversation } from '../../instrumentation/index.ts';
import { decodeTraceRequestProtobuf } from '../../src/otlp/index.ts';
import { EvaluationSpanProcessor } from '../../processors/index.ts';
import { chatCompletion, startOpenAITestServer } from '../support/openai-test-server.ts';
import { runTurn } from './support/agent-spans.ts';

/**
 * The "Done when": instrumented agent spans → EvaluationSpanProcessor →
 * BatchSpanProcessor → the official OTLP/HTTP exporters (JSON and protobuf) →
 * a real receiver on loopback, which finds the evaluation events on the right spans.
 */

interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/** What the receiver sees of one exported span. */
interface WireSpan {
  readonly spanId: string;
  readonly name: string;
  readonly events: { readonly name: string; readonly attributes: Record<string, unknown> }[];
}

let server: Server;
let base: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const contentType = String(req.headers['content-type']);
      received.push({ path: String(req.url), contentType, body: Buffer.concat(chunks) });
      // OTLP: answer 200 with an (empty) ExportTraceServiceResponse, in the request's encoding.
      res.writeHead(200, { 'content-type': contentType });
      res.end(contentType.includes('json') ? '{}' : Buffer.alloc(0));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** OTLP JSON: resourceSpans → scopeSpans → spans; ids are hex; AnyValue as {stringValue|intValue|doubleValue|…}. */
function spansFromJson(body: Buffer): WireSpan[] {
  const request = JSON.parse(body.toString('utf8'));
  const anyValue = (value: any): unknown => {
    if (value.stringValue !== undefined) return value.stringValue;
    if (value.boolValue !== undefined) return value.boolValue;
    if (value.intValue !== undefined) return Number(value.intValue);
    if (value.doubleValue !== undefined) return value.doubleValue;
    if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValue);
    return undefined;
  };
  const attributes = (list: any[] = []) => Object.fromEntries(list.map((kv) => [kv.key, anyValue(kv.value)]));
  return request.resourceSpans.flatMap((resource: any) =>
    resource.scopeSpans.flatMap((scope: any) =>
      scope.spans.map((span: any) => ({
        spanId: span.spanId,
        name: span.name,
        events: (span.events ?? []).map((event: any) => ({ name: event.name, attributes: attributes(event.attributes) })),
      })),
    ),
  );
}

function spansFromProtobuf(body: Buffer): WireSpan[] {
  const { spans, rejected } = decodeTraceRequestProtobuf(new Uint8Array(body));
  expect(rejected).toEqual([]);
  return spans.map((span) => ({
    spanId: span.spanId,
    name: span.name,
    events: span.events.map((event) => ({ name: event.name, attributes: { ...event.attributes } })),
  }));
}

const protocols = [
  {
    name: 'http/json',
    path: '/json/v1/traces',
    contentType: 'application/json',
    exporter: (url: string): SpanExporter => new OTLPJsonExporter({ url }),
    decode: spansFromJson,
  },
  {
    name: 'http/protobuf',
    path: '/proto/v1/traces',
    contentType: 'application/x-protobuf',
    exporter: (url: string): SpanExporter => new OTLPProtoExporter({ url }),
    decode: spansFromProtobuf,
  },
] as const;

describe.each(protocols)('end to end over OTLP $name', (protocol) => {
  it('delivers pass and fail evaluation events on the spans that carry the replies', async () => {
    const processor = new EvaluationSpanProcessor({
      downstream: new BatchSpanProcessor({ exporter: protocol.exporter(base + protocol.path), scheduledDelayMillis: 60_000 }),
    });
    const provider = new TracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('support-agent');

    const grounded = runTurn(tracer, {
      conversationId: `e2e-${protocol.name}`,
      user: 'How much is the Pro plan?',
      tools: [{ name: 'lookup_plan', result: { plan: 'Pro', monthly_price: '$129.00' } }],
      reply: 'The Pro plan costs $129.00 per month.',
      responseId: 'chatcmpl-grounded',
    });
    const ungrounded = runTurn(tracer, {
      conversationId: `e2e-${protocol.name}`,
      user: 'And the Team plan?',
      tools: [{ name: 'lookup_plan', result: { plan: 'Team', monthly_price: '$299.00' } }],
      reply: 'The Team plan is $249.00 per month.',
      responseId: 'chatcmpl-ungrounded',
    });
    await provider.shutdown();

    const requests = received.filter((request) => request.path === protocol.path);
    for (const request of requests) expect(request.contentType).toContain(protocol.contentType);
    expect(requests.length).toBeGreaterThan(0);
    const spans = requests.flatMap((request) => protocol.decode(request.body));
    expect(spans).toHaveLength(6);

    const priceEvents = (spanId: string) =>
      spans
        .find((span) => span.spanId === spanId)!
        .events.filter((event) => event.name === 'gen_ai.evaluation.result' && event.attributes['gen_ai.evaluation.name'] === 'commitment.price');

    const [pass] = priceEvents(grounded.chatSpanId);
    expect(pass.attributes).toMatchObject({
      'gen_ai.evaluation.score.label': 'pass',
      'gen_ai.evaluation.score.value': 1,
      'gen_ai.response.id': 'chatcmpl-grounded',
      'tracejudge.evaluation.source': 'deterministic',
    });
    const [fail] = priceEvents(ungrounded.chatSpanId);
    expect(fail.attributes['gen_ai.evaluation.score.label']).toBe('fail');
    expect(fail.attributes['gen_ai.evaluation.score.value']).toBe(0);
    expect(String(fail.attributes['gen_ai.evaluation.explanation'])).toContain('$249.00');
    expect(fail.attributes['tracejudge.ungrounded_values']).toEqual(['$249.00']);

    // One set of results per turn: the invoke_agent spans carrying the same replies have none.
    expect(priceEvents(grounded.turnSpanId)).toEqual([]);
    expect(priceEvents(ungrounded.turnSpanId)).toEqual([]);
    for (const toolSpanId of [...grounded.toolSpanIds, ...ungrounded.toolSpanIds]) {
      expect(spans.find((span) => span.spanId === toolSpanId)?.events).toEqual([]);
    }
  });
});

describe('end to end from a real instrumented agent', () => {
  it('instrumentation + openai client → EvaluationSpanProcessor → BatchSpanProcessor → OTLP protobuf → receiver', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const replies = ['The Pro plan costs $129.00 per month.', 'The Team plan is $249.00 per month.'];
    const model = await startOpenAITestServer((_request, index) => ({ json: chatCompletion(replies[index] ?? 'Bye.') }));
    const path = '/agent/v1/traces';
    const processor = new EvaluationSpanProcessor({
      downstream: new BatchSpanProcessor({ exporter: new OTLPProtoExporter({ url: base + path }), scheduledDelayMillis: 60_000 }),
    });
    const provider = new TracerProvider({ spanProcessors: [processor] });
    const openai = instrumentOpenAI(new OpenAI({ baseURL: model.baseURL, apiKey: 'test', maxRetries: 0 }), {
      tracerProvider: provider,
      captureMessageContent: true,
    });
    const conversation = startConversation({ id: 'e2e-agent', agentName: 'support', tracerProvider: provider });

    const ask = async (question: string, plan: string, price: string): Promise<void> => {
      await conversation.turn(question, async (turn) => {
        const found = await turn.tool('lookup_plan', { plan }, () => ({ plan, monthly_price: price }));
        const completion = await openai.chat.completions.create({
          model: 'gpt-test',
          messages: [
            { role: 'user', content: question },
            { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup_plan', arguments: JSON.stringify({ plan }) } }] },
            { role: 'tool', tool_call_id: 'c1', content: JSON.stringify(found) },
          ],
        });
        turn.reply(completion.choices[0]?.message.content ?? '');
      });
    };
    try {
      await ask('How much is the Pro plan?', 'Pro', '$129.00');
      await ask('And the Team plan?', 'Team', '$299.00');
      await provider.shutdown();
    } finally {
      await model.close();
      context.disable();
    }

    const spans = received.filter((request) => request.path === path).flatMap((request) => spansFromProtobuf(request.body));
    const chats = spans.filter((span) => span.name === 'chat gpt-test');
    const turns = spans.filter((span) => span.name.startsWith('invoke_agent'));
    expect(chats).toHaveLength(2);
    expect(turns).toHaveLength(2);
    const priceLabels = (span: WireSpan) =>
      span.events
        .filter((event) => event.name === 'gen_ai.evaluation.result' && event.attributes['gen_ai.evaluation.name'] === 'commitment.price')
        .map((event) => event.attributes['gen_ai.evaluation.score.label']);
    const labels = [...chats, ...turns].map(priceLabels);
    // Each reply is checked once, on one of its two spans: pass for the grounded one, fail for the other.
    expect(labels.flat().sort()).toEqual(['fail', 'pass']);
    const failed = [...chats, ...turns].flatMap((span) => span.events).find((event) => event.attributes['gen_ai.evaluation.score.label'] === 'fail');
    expect(failed?.attributes['tracejudge.ungrounded_values']).toEqual(['$249.00']);
    expect(failed?.attributes['tracejudge.conversation.id']).toBe('e2e-agent');
  });
});
