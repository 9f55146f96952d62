import type { Meter } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import type { EvaluationResult } from '../../model/evaluation-result.ts';
import { EvaluationAttributes, MetricAttributes, MetricNames } from '../../results/names.ts';
import type { ResultSink } from '../../results/result-sink.ts';

/** Sampling and judge figures of one `check` run, read from the online stage's own metrics. */
export interface OnlineSummaryJson {
  /** The judge model, or null when the config has no `judge` section (sampling decisions only). */
  readonly judgeModel: string | null;
  /** Turns per stratum: all decided, and those whose conversation was sampled. */
  readonly turnsByStratum: Readonly<Record<string, { readonly sampled: number; readonly total: number }>>;
  /** Conversations sampled, by the stratum and reason of the decision that first sampled them. */
  readonly conversationsSampled: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Judge results by outcome (one per rubric and judged conversation or turn). */
  readonly judgeCalls: { readonly ok: number; readonly error: number };
  readonly judgeErrors: Readonly<Record<string, number>>;
  readonly judgeCostUsd: number;
  readonly judgeTokens: { readonly input: number; readonly output: number };
  /** Results routed to review (judge scores below `review.below`, failed checks), by evaluation name. */
  readonly lowScores: Readonly<Record<string, number>>;
  /** Of those, the judge's scores below `review.below`, by rubric. */
  readonly lowJudgeScores: Readonly<Record<string, number>>;
  /** Judge work shed (never spans), by reason. */
  readonly shed: Readonly<Record<string, number>>;
  /** Judge results as events on their held span, and on `evaluate {rubric}` child spans (written as extra lines at the end). */
  readonly delivered: { readonly spanEvents: number; readonly childSpans: number };
  readonly childSpanLines: number;
}

/** A pull reader: the summary reads the counters once, at the end. */
class SummaryReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

type Point = DataPoint<number | Histogram>;

/**
 * The `tracejudge` meter of a private MeterProvider for `check`: the summary
 * counts exactly what the online stage reports as metrics (conversations
 * sampled are counted once each by the stage, in bounded memory).
 */
export class OnlineTally {
  readonly #reader = new SummaryReader();
  readonly #provider = new MeterProvider({ readers: [this.#reader] });
  readonly meter: Meter = this.#provider.getMeter('tracejudge');
  readonly #routed: Record<string, number> = {};
  readonly #lowJudgeScores: Record<string, number> = {};
  /**
   * Given to the stage as a review sink: it receives exactly the results below `review.below` and failed checks.
   * Counted here, not from the low-score metric, which counts once per review destination.
   */
  readonly lowJudgeScores: ResultSink = {
    write: (results: readonly EvaluationResult[]) => {
      for (const result of results) {
        this.#routed[result.name] = (this.#routed[result.name] ?? 0) + 1;
        if (result.source === 'judge') this.#lowJudgeScores[result.name] = (this.#lowJudgeScores[result.name] ?? 0) + 1;
      }
    },
  };

  async read(extra: { judgeModel: string | null; delivered: OnlineSummaryJson['delivered']; childSpanLines: number }): Promise<OnlineSummaryJson> {
    const { resourceMetrics } = await this.#reader.collect();
    const points = new Map<string, Point[]>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) points.set(metric.descriptor.name, [...(points.get(metric.descriptor.name) ?? []), ...(metric.dataPoints as Point[])]);
    }
    const each = (name: string, visit: (attributes: Record<string, unknown>, value: number) => void) => {
      for (const point of points.get(name) ?? []) if (typeof point.value === 'number') visit(point.attributes, point.value);
    };
    const turnsByStratum: Record<string, { sampled: number; total: number }> = {};
    each(MetricNames.SAMPLING_DECISIONS, (attributes, value) => {
      const entry = (turnsByStratum[String(attributes[MetricAttributes.STRATUM])] ??= { sampled: 0, total: 0 });
      entry.total += value;
      if (attributes[MetricAttributes.SAMPLED] === true) entry.sampled += value;
    });
    const conversationsSampled: Record<string, Record<string, number>> = {};
    each(MetricNames.CONVERSATIONS_SAMPLED, (attributes, value) => {
      const byReason = (conversationsSampled[String(attributes[MetricAttributes.STRATUM])] ??= {});
      const reason = String(attributes[MetricAttributes.REASON]);
      byReason[reason] = (byReason[reason] ?? 0) + value;
    });
    const judgeCalls = { ok: 0, error: 0 };
    each(MetricNames.JUDGE_CALLS, (attributes, value) => {
      if (attributes.outcome === 'error') judgeCalls.error += value;
      else judgeCalls.ok += value;
    });
    const judgeErrors: Record<string, number> = {};
    each(MetricNames.ERRORS, (attributes, value) => {
      if (attributes[MetricAttributes.SOURCE] !== 'judge') return;
      const type = String(attributes[EvaluationAttributes.ERROR_TYPE]);
      judgeErrors[type] = (judgeErrors[type] ?? 0) + value;
    });
    let judgeCostUsd = 0;
    each(MetricNames.JUDGE_COST, (_, value) => (judgeCostUsd += value));
    const judgeTokens = { input: 0, output: 0 };
    each(MetricNames.JUDGE_TOKENS, (attributes, value) => {
      if (attributes[MetricAttributes.TOKEN_TYPE] === 'output') judgeTokens.output += value;
      else judgeTokens.input += value;
    });
    const shed = tallyBy(points.get(MetricNames.SHED), MetricAttributes.SHED_REASON);
    return { judgeModel: extra.judgeModel, turnsByStratum, conversationsSampled, judgeCalls, judgeErrors, judgeCostUsd, judgeTokens, lowScores: { ...this.#routed }, lowJudgeScores: { ...this.#lowJudgeScores }, shed, delivered: extra.delivered, childSpanLines: extra.childSpanLines };
  }

  async shutdown(): Promise<void> {
    await this.#provider.shutdown();
  }
}

function tallyBy(points: readonly Point[] | undefined, attribute: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const point of points ?? []) {
    if (typeof point.value !== 'number') continue;
    const key = String(point.attributes[attribute]);
    out[key] = (out[key] ?? 0) + point.value;
  }
  return out;
}

/** The online part of the human summary. */
export function formatOnlineSummary(online: OnlineSummaryJson): string[] {
  const lines: string[] = [];
  const strata = Object.entries(online.turnsByStratum);
  if (strata.length > 0) {
    lines.push('sampling (turns sampled / decided, conversations sampled by reason):');
    const width = Math.max(...strata.map(([name]) => name.length));
    for (const [stratum, turns] of strata) {
      const reasons = Object.entries(online.conversationsSampled[stratum] ?? {}).map(([reason, count]) => `${count} ${reason}`);
      lines.push(`  ${stratum.padEnd(width)}  ${turns.sampled}/${turns.total} turns${reasons.length ? `; conversations: ${reasons.join(', ')}` : ''}`);
    }
  }
  if (online.judgeModel === null) {
    lines.push('judge: none configured (sampling decisions only)');
    return lines;
  }
  const errors = Object.entries(online.judgeErrors).map(([type, count]) => `${count} ${type}`);
  lines.push(
    `judge ${online.judgeModel}: ${online.judgeCalls.ok + online.judgeCalls.error} results (${online.judgeCalls.ok} ok, ${online.judgeCalls.error} error${errors.length ? `: ${errors.join(', ')}` : ''}), ` +
      `$${online.judgeCostUsd.toFixed(4)} (${online.judgeTokens.input} input + ${online.judgeTokens.output} output tokens)`,
  );
  const lowJudge = Object.entries(online.lowJudgeScores).map(([name, count]) => `${count} ${name}`);
  lines.push(`low judge scores: ${lowJudge.length ? lowJudge.join(', ') : 'none'}`);
  const low = Object.entries(online.lowScores).map(([name, count]) => `${count} ${name}`);
  if (low.length > 0) lines.push(`routed to review (low scores, failed checks): ${low.join(', ')}`);
  const shed = Object.entries(online.shed).map(([reason, count]) => `${count} ${reason}`);
  if (shed.length > 0) lines.push(`judge work shed: ${shed.join(', ')}`);
  lines.push(`judge results as events on their span: ${online.delivered.spanEvents}; on evaluate child spans: ${online.delivered.childSpans}`);
  if (online.childSpanLines > 0) {
    lines.push(`  (answered after the span's line was due: written as ${online.childSpanLines} extra line(s) at the end of the output)`);
  }
  return lines;
}
