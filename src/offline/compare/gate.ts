import { ALL_ROWS } from './compare.ts';
import type { Comparison } from './compare.ts';

/**
 * CI gate rules (docs/offline.md):
 *   `*: max-drop 1.5%`                      every evaluator over all rows
 *   `tag:vertical=healthcare: max-drop 0.5%` the rows with that tag
 *   `tag:vertical=*: max-drop 1%`           each value of the tag, separately
 *   `tag:vertical=*@commitment.price: max-drop 0%`  one evaluator only
 *   `latency.p95: max-increase 20%`, `cost.mean: max-increase 10%` (over all rows)
 * Drops are absolute points of pass rate / mean score; increases are relative.
 *
 * A rule is VIOLATED only with confidence: the whole 95% interval of the delta
 * lies beyond the threshold (upper bound of the delta < −threshold; for
 * increases, lower bound of the ratio > 1 + threshold). When the interval
 * straddles the threshold the rows cannot tell: reported, never failing.
 */

export type GateRule =
  | { readonly text: string; readonly kind: 'max-drop'; readonly scope: { readonly tag?: string; readonly value?: string }; readonly evaluator?: string; readonly threshold: number }
  | { readonly text: string; readonly kind: 'max-increase'; readonly metric: 'latency.p95' | 'cost.mean'; readonly threshold: number };

export class GateRuleError extends Error {
  override readonly name = 'GateRuleError';
}

const RULE = /^\s*(.+?)\s*:\s*(max-drop|max-increase)\s+(\d+(?:\.\d+)?)\s*%\s*$/;

export function parseGateRule(text: string): GateRule {
  const match = RULE.exec(text);
  if (!match) throw new GateRuleError(`gate rule "${text}": expected "SCOPE: max-drop N%" or "latency.p95: max-increase N%"`);
  const [, scopeText, kind, number] = match;
  const threshold = Number(number) / 100;
  if (kind === 'max-increase') {
    if (scopeText !== 'latency.p95' && scopeText !== 'cost.mean') {
      throw new GateRuleError(`gate rule "${text}": max-increase applies to latency.p95 or cost.mean, got "${scopeText}"`);
    }
    return { text, kind, metric: scopeText, threshold };
  }
  const [scope, evaluator] = scopeText.split('@');
  if (scope === ALL_ROWS) return { text, kind: 'max-drop', scope: {}, ...(evaluator ? { evaluator } : {}), threshold };
  const tag = /^tag:([^=]+)=(.+)$/.exec(scope);
  if (!tag) throw new GateRuleError(`gate rule "${text}": scope must be "*", "tag:KEY=VALUE" or "tag:KEY=*", got "${scope}"`);
  return { text, kind: 'max-drop', scope: { tag: tag[1], ...(tag[2] === '*' ? {} : { value: tag[2] }) }, ...(evaluator ? { evaluator } : {}), threshold };
}

/** Rules separated by `;` or newlines (as one `--gate` value or from config). */
export function parseGateRules(texts: readonly string[]): GateRule[] {
  return texts.flatMap((text) => text.split(/[;\n]/)).filter((text) => text.trim() !== '').map(parseGateRule);
}

export interface GateCheck {
  readonly rule: string;
  readonly group: string;
  readonly metric: string;
  readonly observed: number;
  readonly low: number;
  readonly high: number;
  readonly threshold: number;
  readonly status: 'pass' | 'fail' | 'too-few-rows';
  readonly note: string;
}

export interface GateResult {
  readonly passed: boolean;
  readonly checks: readonly GateCheck[];
  readonly failures: readonly GateCheck[];
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

export function evaluateGate(comparison: Comparison, rules: readonly GateRule[]): GateResult {
  const checks: GateCheck[] = [];
  for (const rule of rules) {
    if (rule.kind === 'max-increase') {
      const overall = comparison.costLatency.find((entry) => entry.group === ALL_ROWS);
      const ratio = rule.metric === 'latency.p95' ? overall?.p95Ratio : overall?.costRatio;
      const ci = rule.metric === 'latency.p95' ? overall?.p95RatioCi : overall?.costRatioCi;
      if (ratio === undefined || ci === undefined) {
        checks.push({ rule: rule.text, group: ALL_ROWS, metric: rule.metric, observed: Number.NaN, low: Number.NaN, high: Number.NaN, threshold: rule.threshold, status: 'too-few-rows', note: `no ${rule.metric} data in both experiments` });
        continue;
      }
      const limit = 1 + rule.threshold;
      const status = ci.low > limit ? 'fail' : ci.high > limit ? 'too-few-rows' : 'pass';
      checks.push({
        rule: rule.text, group: ALL_ROWS, metric: rule.metric, observed: ratio - 1, low: ci.low - 1, high: ci.high - 1, threshold: rule.threshold, status,
        note: status === 'fail' ? `increase ${percent(ratio - 1)}, at least ${percent(ci.low - 1)} with 95% confidence` : status === 'too-few-rows' ? 'interval straddles the limit: too few rows to tell' : 'within limit',
      });
      continue;
    }
    const { tag, value } = rule.scope;
    const matches = comparison.metrics.filter((metric) => {
      if (rule.evaluator !== undefined && metric.evaluator !== rule.evaluator) return false;
      if (tag === undefined) return metric.group === ALL_ROWS;
      return value === undefined ? metric.group.startsWith(`${tag}=`) : metric.group === `${tag}=${value}`;
    });
    if (matches.length === 0) {
      checks.push({ rule: rule.text, group: tag ? `${tag}=${value ?? '*'}` : ALL_ROWS, metric: rule.evaluator ?? '*', observed: Number.NaN, low: Number.NaN, high: Number.NaN, threshold: rule.threshold, status: 'too-few-rows', note: 'no rows match this rule' });
    }
    for (const metric of matches) {
      // Violated with confidence: the interval's upper bound is below −threshold.
      const status = metric.ci.high < -rule.threshold ? 'fail' : metric.ci.low < -rule.threshold ? 'too-few-rows' : 'pass';
      checks.push({
        rule: rule.text, group: metric.group, metric: metric.evaluator, observed: metric.delta, low: metric.ci.low, high: metric.ci.high, threshold: rule.threshold, status,
        note: status === 'fail'
          ? `dropped ${percent(-metric.delta)} (95% CI ${percent(metric.ci.low)} … ${percent(metric.ci.high)}) beyond −${percent(rule.threshold)}`
          : status === 'too-few-rows'
            ? `too few rows to tell (${metric.rows} rows; detectable difference ≈ ${percent(metric.mdd)})`
            : 'within limit',
      });
    }
  }
  const failures = checks.filter((check) => check.status === 'fail');
  return { passed: failures.length === 0, checks, failures };
}
