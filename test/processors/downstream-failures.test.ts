import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { EvaluationSpanProcessor } from '../../processors/index.ts';

type Hook = 'onStart' | 'onEnding' | 'onEnd' | 'forceFlush' | 'shutdown';

/** A downstream processor that throws (or rejects) in one hook and records what it was handed otherwise. */
function failingIn(hook: Hook): SpanProcessor & { ended: ReadableSpan[] } {
  const fail = (name: Hook) => {
    if (name === hook) throw new Error(`downstream ${name} broke`);
  };
  const ended: ReadableSpan[] = [];
  return {
    ended,
    onStart: () => fail('onStart'),
    onEnding: () => fail('onEnding'),
    onEnd: (span) => {
      fail('onEnd');
      ended.push(span);
    },
    forceFlush: async () => fail('forceFlush'),
    shutdown: async () => fail('shutdown'),
  };
}

describe('a downstream processor that throws never throws into the app', () => {
  for (const hook of ['onStart', 'onEnding', 'onEnd', 'forceFlush', 'shutdown'] as const) {
    it(`in ${hook}: the app's spans, flush and shutdown go on; the failure is counted`, async () => {
      const downstream = failingIn(hook);
      const processor = new EvaluationSpanProcessor({ downstream });
      const provider = new TracerProvider({ spanProcessors: [processor] });
      const tracer = provider.getTracer('app');
      const value = tracer.startActiveSpan('invoke_agent app', (span) => {
        span.setAttribute('gen_ai.operation.name', 'invoke_agent');
        span.end();
        return 42;
      });
      expect(value).toBe(42);
      await expect(provider.forceFlush()).resolves.toBeUndefined();
      await expect(provider.shutdown()).resolves.toBeUndefined();
      expect(processor.stats().stageErrors).toBeGreaterThanOrEqual(1);
      if (hook !== 'onEnd') expect(downstream.ended).toHaveLength(1);
    });
  }
});
