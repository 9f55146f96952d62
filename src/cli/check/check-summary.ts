import type { PipelineStats } from '../../../processors/index.ts';
import type { EvaluationResult } from '../../model/evaluation-result.ts';
import { formatOnlineSummary } from './online-tally.ts';
import type { OnlineSummaryJson } from './online-tally.ts';
import type { TopValue } from './top-values.ts';
import { TopValues } from './top-values.ts';

/** Distinct (check, value) pairs counted exactly before Space-Saving approximates. */
const TOP_VALUE_CAPACITY = 10_000;
/** Rejections listed in the JSON summary (all are counted; stderr lists them as they happen). */
const MAX_LISTED_REJECTIONS = 100;

export interface CheckCounts {
  pass: number;
  fail: number;
  error: number;
}

export interface CheckSummaryJson {
  readonly lines: { readonly read: number; readonly accepted: number; readonly rejected: number };
  readonly spans: { readonly accepted: number; readonly rejected: number };
  readonly logRecords: { readonly accepted: number; readonly rejected: number };
  /** Results written as log-based event records (late content's always; all with `events.logs`). */
  readonly resultLogRecords: number;
  readonly repliesChecked: number;
  readonly earlierResultsReplaced: number;
  readonly results: Readonly<Record<string, CheckCounts>>;
  readonly failuresByCheck: Readonly<Record<string, number>>;
  readonly topUngroundedValues: readonly (TopValue & { readonly check: string })[];
  readonly rejections: readonly string[];
  readonly rejectionsNotListed: number;
  readonly pipeline: PipelineStats;
  /** With `--config`: sampling decisions and the judge. */
  readonly online?: OnlineSummaryJson;
}

/** What `tracejudge check` tallies while it streams; bounded however long the input. */
export class CheckSummary {
  linesRead = 0;
  linesAccepted = 0;
  linesRejected = 0;
  spansAccepted = 0;
  spansRejected = 0;
  logRecordsAccepted = 0;
  logRecordsRejected = 0;
  resultLogRecords = 0;
  /** Deterministic results already on the input spans, replaced by this run's. */
  earlierResultsReplaced = 0;
  readonly #results: Record<string, CheckCounts> = Object.create(null);
  readonly #ungrounded = new TopValues(TOP_VALUE_CAPACITY);
  readonly #rejections: string[] = [];
  #rejectionsNotListed = 0;

  noteRejection(message: string): void {
    if (this.#rejections.length < MAX_LISTED_REJECTIONS) this.#rejections.push(message);
    else this.#rejectionsNotListed++;
  }

  noteResults(results: readonly EvaluationResult[]): void {
    for (const result of results) {
      const counts = (this.#results[result.name] ??= { pass: 0, fail: 0, error: 0 });
      if (result.error !== undefined) counts.error++;
      else if (result.label === 'fail') counts.fail++;
      else counts.pass++;
      const ungrounded = result.details?.ungrounded_values;
      if (Array.isArray(ungrounded)) {
        // A NUL cannot occur in a check name: it joins the pair without ambiguity.
        for (const value of ungrounded) this.#ungrounded.add(`${result.name}\u0000${String(value)}`);
      }
    }
  }

  toJson(pipeline: PipelineStats, online?: OnlineSummaryJson, topLimit = 10): CheckSummaryJson {
    const failuresByCheck: Record<string, number> = {};
    for (const [name, counts] of Object.entries(this.#results)) failuresByCheck[name] = counts.fail;
    return {
      lines: { read: this.linesRead, accepted: this.linesAccepted, rejected: this.linesRejected },
      spans: { accepted: this.spansAccepted, rejected: this.spansRejected },
      logRecords: { accepted: this.logRecordsAccepted, rejected: this.logRecordsRejected },
      resultLogRecords: this.resultLogRecords,
      repliesChecked: pipeline.repliesChecked,
      earlierResultsReplaced: this.earlierResultsReplaced,
      results: { ...this.#results },
      failuresByCheck,
      topUngroundedValues: this.#ungrounded.top(topLimit).map(({ value, ...counts }) => {
        const [check, text] = value.split('\u0000');
        return { check, value: text, ...counts };
      }),
      rejections: [...this.#rejections],
      rejectionsNotListed: this.#rejectionsNotListed,
      pipeline,
      ...(online && { online }),
    };
  }
}

export function anyRejected(summary: CheckSummaryJson): boolean {
  return summary.lines.rejected > 0 || summary.spans.rejected > 0 || summary.logRecords.rejected > 0;
}

/** The human summary for stderr. */
export function formatSummary(summary: CheckSummaryJson): string {
  const lines = [
    `tracejudge check: ${summary.lines.read} lines (${summary.lines.accepted} accepted, ${summary.lines.rejected} rejected), ` +
      `${summary.spans.accepted} spans accepted, ${summary.spans.rejected} rejected; ${summary.repliesChecked} replies checked`,
  ];
  const { content } = summary.pipeline;
  if (summary.logRecords.accepted > 0 || summary.logRecords.rejected > 0) {
    lines.push(
      `${summary.logRecords.accepted} log records accepted, ${summary.logRecords.rejected} rejected; ${content.recordsReceived} GenAI content records, ` +
        `${content.recordsJoined} joined to their spans, ${content.lateSpansEvaluated} spans evaluated after them, ` +
        `${content.spansWaiting + content.recordsExpired + content.recordsEvicted > 0 ? `${content.recordsExpired + content.recordsEvicted} records dropped and ${content.spansWaiting} spans' records never met their span, ` : ''}` +
        `${summary.resultLogRecords} result log records written`,
    );
  }
  if (summary.earlierResultsReplaced > 0) {
    lines.push(`${summary.earlierResultsReplaced} deterministic results already on the spans were replaced by this run's`);
  }
  const checks = Object.entries(summary.results).sort(([a], [b]) => (a < b ? -1 : 1));
  if (checks.length > 0) {
    lines.push('results by check:');
    const width = Math.max(...checks.map(([name]) => name.length));
    for (const [name, counts] of checks) {
      lines.push(`  ${name.padEnd(width)}  ${counts.fail} fail, ${counts.pass} pass${counts.error ? `, ${counts.error} error` : ''}`);
    }
  }
  if (summary.topUngroundedValues.length > 0) {
    lines.push(`top ungrounded values:`);
    for (const top of summary.topUngroundedValues) {
      const count = top.overestimate > 0 ? `≤${top.count}` : String(top.count);
      lines.push(`  ${count.padStart(6)}  ${top.check}  ${JSON.stringify(top.value)}`);
    }
  }
  const { conversationsEvicted, conversationsExpired, errors } = summary.pipeline;
  if (conversationsEvicted > 0 || errors > 0) {
    lines.push(`pipeline: ${conversationsEvicted} conversations evicted (memory bound), ${conversationsExpired} expired, ${errors} errors`);
  }
  if (summary.online) lines.push(...formatOnlineSummary(summary.online));
  return `${lines.join('\n')}\n`;
}
