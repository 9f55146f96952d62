import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { spanRecordFromReadable } from '../../src/model/from-readable-span.ts';
import { normalizeSpan } from '../../src/model/normalize.ts';
import type { SpanView } from '../../src/model/span-view.ts';
import { SamplingAttributes, buildSampler, decisionAttributes } from '../../src/sampling/index.ts';
import type { Decision, StratifiedSampler } from '../../src/sampling/index.ts';
import { settings } from './builders.ts';

/**
 * The smallest wiring of a sampler into the real SDK, as the processor does
 * it: children are normalized as they end; when the turn span (invoke_agent)
 * is ending — still writable — the turn is decided and the decision set on it.
 */
class DecideOnTurnEnd implements SpanProcessor {
  readonly decisions: Decision[] = [];
  readonly #children = new Map<string, SpanView[]>();
  readonly #sampler: StratifiedSampler;

  constructor(sampler: StratifiedSampler) {
    this.#sampler = sampler;
  }

  onStart(_span: Span, _context: Context): void {}

  onEnding(span: Span): void {
    const view = normalizeSpan(spanRecordFromReadable(span));
    if (view.operation !== 'invoke_agent') return;
    const traceId = span.spanContext().traceId;
    const spans = [view, ...(this.#children.get(traceId) ?? [])];
    this.#children.delete(traceId);
    const [seconds, nanos] = span.endTime;
    const [startSeconds, startNanos] = span.startTime;
    const decision = this.#sampler.decide({
      conversationId: view.conversationId ?? traceId,
      spans,
      latencyMs: (seconds - startSeconds) * 1e3 + (nanos - startNanos) / 1e6,
      totalTokens: spans.reduce((sum, v) => sum + (v.usage.inputTokens ?? 0) + (v.usage.outputTokens ?? 0), 0),
      checkFailed: false,
      now: seconds * 1e3 + nanos / 1e6,
    });
    this.decisions.push(decision);
    span.setAttributes(decisionAttributes(decision));
  }

  onEnd(span: ReadableSpan): void {
    const view = normalizeSpan(spanRecordFromReadable(span));
    if (view.operation === 'invoke_agent') return;
    const traceId = span.spanContext().traceId;
    const list = this.#children.get(traceId) ?? [];
    list.push(view);
    this.#children.set(traceId, list);
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

describe('with the real OTel SDK', () => {
  it('decides a turn from its exported spans and the decision lands on the turn span', async () => {
    const sampler = await buildSampler(
      settings({
        strata: [
          { name: 'escalations', when: { outcome: 'escalated' }, rate: 1 },
          { name: 'tools', when: { hasToolCalls: true }, rate: 1 },
          { name: 'routine', rate: 0 },
        ],
        always: [],
      }),
    );
    const deciding = new DecideOnTurnEnd(sampler);
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [deciding, new SimpleSpanProcessor({ exporter })] });
    const tracer = provider.getTracer('agent');

    const runTurn = (conversationId: string, withTool: boolean) => {
      const turnSpan = tracer.startSpan('invoke_agent support', {
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': conversationId },
      });
      // Parent passed explicitly: no context manager is installed in this test.
      const inTurn = trace.setSpan(ROOT_CONTEXT, turnSpan);
      if (withTool) {
        tracer.startSpan('execute_tool lookup_plan', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_plan' } }, inTurn).end();
      }
      const usage = { 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 300 };
      tracer.startSpan('chat gpt-4.1-mini', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4.1-mini', ...usage } }, inTurn).end();
      turnSpan.end();
      return turnSpan.spanContext().spanId;
    };

    const toolTurn = runTurn('conv-tools', true);
    const plainTurn = runTurn('conv-plain', false);
    await provider.forceFlush();

    const exported = (spanId: string) => exporter.getFinishedSpans().find((s) => s.spanContext().spanId === spanId)?.attributes ?? {};
    expect(exported(toolTurn)).toMatchObject({
      [SamplingAttributes.SAMPLED]: true,
      [SamplingAttributes.STRATUM]: 'tools',
      [SamplingAttributes.RATE]: 1,
      [SamplingAttributes.WEIGHT]: 1,
      [SamplingAttributes.REASON]: 'stratum',
    });
    expect(exported(plainTurn)).toMatchObject({
      [SamplingAttributes.SAMPLED]: false,
      [SamplingAttributes.STRATUM]: 'routine',
      [SamplingAttributes.REASON]: 'not_sampled',
    });
    expect(exported(plainTurn)[SamplingAttributes.WEIGHT]).toBeUndefined();
    // Inference cost came from gen_ai.usage on the chat spans: 2 × (1200 × $0.4 + 300 × $1.6) / 1M.
    expect(sampler.stats(Date.now()).budget.inferenceTotal).toBeCloseTo((2 * (1200 * 0.4 + 300 * 1.6)) / 1e6, 12);
    expect(sampler.stats(Date.now()).unpricedTurns).toBe(0);
    await provider.shutdown();
  });
});
