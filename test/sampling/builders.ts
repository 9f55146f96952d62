import { normalizeSpan } from '../../src/model/normalize.ts';
import type { Attributes, StatusCode } from '../../src/model/span-record.ts';
import type { SpanView } from '../../src/model/span-view.ts';
import type { SamplingInput } from '../../src/sampling/index.ts';
import type { SamplingSettings } from '../../src/sampling/index.ts';
import { spanRecord } from '../model/builders.ts';

/** 2026-03-02T10:00:00Z: a Monday morning, mid-day and mid-hour are explicit in tests. */
export const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);

/** A span through the real normalizer, with the attributes a test is about. */
export function span(attributes: Attributes = {}, options: { resource?: Attributes; status?: StatusCode } = {}): SpanView {
  return normalizeSpan(
    spanRecord({ attributes, resourceAttributes: options.resource ?? {}, status: { code: options.status ?? 0 } }),
  );
}

export function chatSpan(model: string, inputTokens: number, outputTokens: number, extra: Attributes = {}): SpanView {
  return span({
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': model,
    'gen_ai.usage.input_tokens': inputTokens,
    'gen_ai.usage.output_tokens': outputTokens,
    ...extra,
  });
}

export function toolSpan(name = 'lookup_plan'): SpanView {
  return span({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name });
}

/** One finished turn with plain defaults. */
export function turn(overrides: Partial<SamplingInput> = {}): SamplingInput {
  return {
    conversationId: 'conv-1',
    spans: [],
    latencyMs: 1000,
    totalTokens: 500,
    checkFailed: false,
    judgeInputChars: 4000,
    now: T0,
    ...overrides,
  };
}

/** Settings as src/config would hand them, with budget and outliers out of the way unless a test sets them. */
export function settings(overrides: Partial<SamplingSettings> = {}): SamplingSettings {
  return {
    strata: [{ name: 'all', rate: 0.1 }],
    always: ['checkFailed', 'escalation', 'error'],
    outliers: { latencyAboveQuantile: null, tokensAboveMedianTimes: null, windowMs: 600_000, minSamples: 100 },
    budget: {
      maxJudgeCostPerHour: null,
      maxJudgeCostPerDay: null,
      maxJudgeCostShareOfInference: null,
      prices: { 'gpt-4.1-mini': { input: 0.4, output: 1.6 } },
      judgeModel: 'gpt-4.1-mini',
      judgeOverheadTokens: 1500,
      judgeOutputTokens: 500,
      paceWindowMs: 300_000,
    },
    hashSalt: '',
    ...overrides,
  };
}

/** Sequential ids, the hard case for weak hashes. */
export function conversationIds(count: number, prefix = 'conv-'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);
}
