import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { GenAI } from '../../src/model/index.ts';
import { EvaluationAttributes, EVALUATION_RESULT_EVENT, SamplingAttributes, TracejudgeAttributes } from '../../src/index.ts';

/**
 * What the demo prints comes from the exported spans themselves — the
 * sampling decision on each turn span, the judge's `gen_ai.evaluation.result`
 * events — so the output shows what a trace backend receives. An exporter
 * that records per conversation, then passes the spans on unchanged.
 */

export interface TurnDecision {
  readonly sampled: boolean;
  readonly stratum: string;
  readonly rate: number;
  readonly reason: string;
}

export interface JudgeResult {
  readonly name: string;
  readonly score?: number;
  readonly label?: string;
  readonly error?: string;
  readonly costUsd: number;
  /** `span_event` (on the held turn span) or `child_span` (an `evaluate {rubric}` span, past holdMs). */
  readonly delivery: string;
}

export interface ConversationLog {
  readonly decisions: TurnDecision[];
  readonly judged: JudgeResult[];
}

export class SpanLog implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly conversations = new Map<string, ConversationLog>();
  spans = 0;

  constructor(inner: SpanExporter) {
    this.#inner = inner;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) this.#record(span);
    this.#inner.export(spans, done);
  }

  of(conversationId: string): ConversationLog {
    let log = this.conversations.get(conversationId);
    if (!log) this.conversations.set(conversationId, (log = { decisions: [], judged: [] }));
    return log;
  }

  async forceFlush(): Promise<void> {
    await this.#inner.forceFlush?.();
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  #record(span: ReadableSpan): void {
    this.spans++;
    const conversationId = span.attributes[GenAI.CONVERSATION_ID];
    if (typeof conversationId !== 'string') return;
    const log = this.of(conversationId);
    const stratum = span.attributes[SamplingAttributes.STRATUM];
    if (typeof stratum === 'string') {
      log.decisions.push({
        sampled: span.attributes[SamplingAttributes.SAMPLED] === true,
        stratum,
        rate: Number(span.attributes[SamplingAttributes.RATE]),
        reason: String(span.attributes[SamplingAttributes.REASON]),
      });
    }
    for (const event of span.events) {
      const attributes = event.attributes ?? {};
      if (event.name !== EVALUATION_RESULT_EVENT || attributes[TracejudgeAttributes.EVALUATION_SOURCE] !== 'judge') continue;
      const score = attributes[EvaluationAttributes.SCORE_VALUE];
      const label = attributes[EvaluationAttributes.SCORE_LABEL];
      const error = attributes[EvaluationAttributes.ERROR_TYPE];
      log.judged.push({
        name: String(attributes[EvaluationAttributes.NAME]),
        ...(typeof score === 'number' && { score }),
        ...(typeof label === 'string' && { label }),
        ...(typeof error === 'string' && { error }),
        costUsd: Number(attributes['tracejudge.judge.cost_usd'] ?? 0),
        delivery: String(attributes[TracejudgeAttributes.DELIVERY] ?? ''),
      });
    }
  }
}
