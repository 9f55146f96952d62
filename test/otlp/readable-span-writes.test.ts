import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequestJson, decodeTraceRequestProtobuf } from '../../src/otlp/index.ts';

/** One span in OTLP/JSON; `withBigInt` adds an int64 beyond 2^53, which makes the SDK view a converted copy. */
function decodedSpan(withBigInt: boolean) {
  const attributes = [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }];
  if (withBigInt) attributes.push({ key: 'big', value: { intValue: '9007199254740993' } } as never);
  const body = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agent' } }] },
        scopeSpans: [
          {
            scope: { name: 'agent' },
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                name: 'chat gpt-4.1-mini',
                kind: 3,
                startTimeUnixNano: '1750000000000000000',
                endTimeUnixNano: '1750000001000000000',
                attributes,
              },
            ],
          },
        ],
      },
    ],
  });
  const decoded = decodeTraceRequestJson(Buffer.from(body));
  expect(decoded.rejected).toEqual([]);
  return decoded.spans[0]!;
}

describe('the SDK view as the span stages write to', () => {
  for (const withBigInt of [false, true]) {
    it(`attributes and events written to it reach the decoded span and the wire${withBigInt ? ' (int64 attributes: converted view)' : ''}`, () => {
      const span = decodedSpan(withBigInt);
      const view = span.toReadableSpan() as ReturnType<typeof span.toReadableSpan> & {
        setAttribute(key: string, value: unknown): unknown;
        setAttributes(values: Record<string, unknown>): unknown;
        addEvent(name: string, attributes?: Record<string, unknown>): unknown;
        isRecording(): boolean;
      };
      const built = ['conversation', String(Date.now() % 10)].join('-') + ' of a rope'.repeat(3);
      expect(view.setAttribute('tracejudge.sampling.stratum', built)).toBe(view);
      view.setAttributes({ 'tracejudge.sampling.weight': 10, skipped: undefined, ['__proto__']: 'an own key, not the prototype' });
      view.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'commitment.price' });
      expect(view.isRecording()).toBe(false);

      for (const attributes of [span.attributes, view.attributes] as Record<string, unknown>[]) {
        expect(attributes['tracejudge.sampling.stratum']).toBe(built);
        expect(attributes['tracejudge.sampling.weight']).toBe(10);
        expect(Object.hasOwn(attributes, 'skipped')).toBe(false);
        expect(Object.getOwnPropertyDescriptor(attributes, '__proto__')?.value).toBe('an own key, not the prototype');
        expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
      }
      expect(span.toReadableSpan()).toBe(view);
      expect(view.events.map((event) => event.name)).toEqual(['gen_ai.evaluation.result']);

      const wire = decodeTraceRequestProtobuf(Buffer.from(ProtobufTraceSerializer.serializeRequest([view])!)).spans[0]!;
      expect(wire.attributes).toMatchObject({ 'tracejudge.sampling.stratum': built, 'tracejudge.sampling.weight': 10, 'gen_ai.operation.name': 'chat' });
      expect(Object.getOwnPropertyDescriptor(wire.attributes, '__proto__')?.value).toBe('an own key, not the prototype');
      expect(wire.events.map((event) => [event.name, event.attributes])).toEqual([['gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'commitment.price' }]]);
      if (withBigInt) expect(wire.attributes.big).toBe('9007199254740993');
    });
  }
});
