import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { createOnlineEvaluation } from '../../processors/index.ts';
import { ConfigError, resolveConfig } from '../../src/config/index.ts';
import { SamplingAttributes } from '../../src/sampling/index.ts';

describe('createOnlineEvaluation from config', () => {
  it('rejects a bad review threshold and webhook URL, naming the fields', () => {
    let error: unknown;
    try {
      resolveConfig({ review: { below: 2, webhook: { url: 'not a url' } } } as never, { env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(/review\.below/);
    expect(String((error as Error).message)).toMatch(/review\.webhook\.url/);
  });

  it('without a judge section it only samples: decisions on turn spans, nothing held', async () => {
    const exporter = new InMemorySpanExporter();
    const online = await createOnlineEvaluation(resolveConfig({ sampling: { strata: [{ name: 'all', rate: 1 }] } }, { env: {} }), {
      downstream: new SimpleSpanProcessor({ exporter }),
    });
    const provider = new TracerProvider({ spanProcessors: [online.processor] });
    const tracer = provider.getTracer('agent');
    tracer.startSpan('invoke_agent support', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'c-1' } }).end();
    const [span] = exporter.getFinishedSpans();
    expect(span.attributes).toMatchObject({ [SamplingAttributes.SAMPLED]: true, [SamplingAttributes.STRATUM]: 'all' });
    expect(online.judge).toBeUndefined();
    expect(online.stage.stats().heldSpans).toBe(0);
    // The reservation of a decision that will never be judged goes back to the budget.
    expect(online.sampler.stats(Date.now()).budget.releasedTotal).toBeGreaterThan(0);
    await online.shutdown();
  });
});
