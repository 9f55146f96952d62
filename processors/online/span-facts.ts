import type { SpanRecord, SpanView } from '../../src/model/index.ts';
import { EVALUATION_RESULT_EVENT, EvaluationAttributes, TracejudgeAttributes } from '../../src/results/names.ts';

/**
 * A deterministic check failed on one of the turn's spans. The inline checks
 * ran just before, in the same `onEnding` pass (and in collector mode an SDK
 * processor may have run them earlier): their results are events on the spans.
 */
export function checkFailedOn(spans: readonly SpanView[]): boolean {
  for (const view of spans) {
    for (const event of view.span.events) {
      if (event.name !== EVALUATION_RESULT_EVENT) continue;
      const attributes = event.attributes;
      if (attributes[EvaluationAttributes.SCORE_LABEL] === 'fail' && attributes[TracejudgeAttributes.EVALUATION_SOURCE] === 'deterministic') return true;
    }
  }
  return false;
}

/** Input + output tokens of the turn's model calls (an agent span may repeat their sum: read only without calls). */
export function sumTokens(spans: readonly SpanView[]): number {
  const calls = spans.filter((view) => view.operation === 'chat' || view.operation === 'embeddings');
  let total = 0;
  for (const view of calls.length > 0 ? calls : spans) total += (view.usage.inputTokens ?? 0) + (view.usage.outputTokens ?? 0);
  return total;
}

const SPAN_OVERHEAD_BYTES = 512;

/** A rough size of a span for the hold queue's byte bound: string attribute text plus a fixed overhead. */
export function estimateBytes(record: SpanRecord): number {
  let bytes = SPAN_OVERHEAD_BYTES;
  for (const key in record.attributes) {
    const value = record.attributes[key];
    bytes += key.length + (typeof value === 'string' ? value.length : 16);
  }
  return bytes + record.events.length * 128;
}
