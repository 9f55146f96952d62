import type { Attributes, HrTime, Link, Span } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { DecodedSpan } from '../../src/otlp/index.ts';

/** One span to record; children are started under it and end before it. */
export interface SpanSpec {
  readonly name: string;
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  readonly events?: readonly { readonly name: string; readonly attributes?: Attributes; readonly time?: HrTime }[];
  readonly error?: string;
  readonly start?: HrTime;
  readonly end?: HrTime;
  readonly links?: readonly Link[];
  readonly children?: readonly SpanSpec[];
}

export interface ScopeSpec {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
}

/**
 * Records spans with the real SDK (TracerProvider → SimpleSpanProcessor →
 * InMemorySpanExporter) and returns the ReadableSpans the exporter got, in end
 * order (children first), as an OTLP exporter would receive them.
 */
export async function recordSpans(
  specs: readonly SpanSpec[],
  resourceAttributes: Attributes = { 'service.name': 'shop-agent' },
  scope: ScopeSpec = { name: 'tracejudge-test', version: '1.2.3' },
): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resourceAttributes),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer(scope.name, scope.version, scope.schemaUrl ? { schemaUrl: scope.schemaUrl } : {});
  const record = (spec: SpanSpec, parent?: Span): void => {
    const span = tracer.startSpan(
      spec.name,
      { kind: spec.kind ?? SpanKind.INTERNAL, attributes: spec.attributes, startTime: spec.start, links: spec.links ? [...spec.links] : [] },
      parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT,
    );
    for (const event of spec.events ?? []) span.addEvent(event.name, event.attributes, event.time);
    for (const child of spec.children ?? []) record(child, span);
    if (spec.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: spec.error });
    span.end(spec.end);
  };
  for (const spec of specs) record(spec);
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

export function hrTimeToNanos(time: HrTime): bigint {
  return BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
}

export const inputMessages = [
  { role: 'system', parts: [{ type: 'text', content: 'Room prices: standard 129 EUR, suite 249 EUR.' }] },
  { role: 'user', parts: [{ type: 'text', content: 'How much is the suite?' }] },
];

/** An agent turn: invoke_agent with a chat child carrying structured GenAI attributes, an event, a link, an error. */
export async function agentSpans(): Promise<ReadableSpan[]> {
  const first = await recordSpans([{ name: 'linked', start: [1750000000, 1], end: [1750000000, 2] }]);
  const linked = first[0].spanContext();
  return recordSpans(
    [
      {
        name: 'invoke_agent concierge',
        start: [1750000000, 123456789],
        end: [1750000003, 987654321],
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'conv-7' },
        links: [{ context: linked, attributes: { 'link.reason': 'retry' } }],
        children: [
          {
            name: 'chat gpt-4.1-mini',
            kind: SpanKind.CLIENT,
            start: [1750000001, 999999999],
            end: [1750000002, 1],
            attributes: {
              'gen_ai.input.messages': inputMessages,
              'gen_ai.usage.input_tokens': 1234,
              'gen_ai.request.temperature': 0.25,
              'app.escalated': false,
              'tags': ['a', 'b'],
              'nested': { level1: { level2: { values: [1, 2.5, 'x', true] } } },
              'raw': new Uint8Array([0, 1, 2, 254, 255]),
            },
            events: [{ name: 'gen_ai.choice', attributes: { index: 0, reason: 'stop' }, time: [1750000002, 0] }],
            error: 'upstream 503',
          },
        ],
      },
    ],
    { 'service.name': 'concierge', 'deployment.environment': 'test' },
    { name: 'tracejudge-test', version: '1.2.3', schemaUrl: 'https://opentelemetry.io/schemas/1.37.0' },
  );
}

/** Everything a decoded span carries, as plain values (comparable across decoders). */
export function decodedView(span: DecodedSpan) {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    start: span.startTimeUnixNano,
    end: span.endTimeUnixNano,
    attributes: span.attributes,
    events: span.events.map((e) => ({ name: e.name, time: e.timeUnixNano, attributes: e.attributes })),
    links: span.links,
    status: span.status,
    flags: span.flags,
    resource: span.resourceAttributes,
    resourceSchemaUrl: span.resource.schemaUrl,
    scope: span.scope,
    sizes: span.sizes,
  };
}
