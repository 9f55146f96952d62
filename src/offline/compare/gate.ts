import { ALL_ROWS } from './compare.ts';
import type { Comparison, MetricComparison } from './compare.ts';
import { adjustPValues } from './multiplicity.ts';
import type { Adjustment } from './multiplicity.ts';
import { dropPValue } from './paired-difference.ts';

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
 * increases, lower bound of the ratio > 1 + threshold) — for a drop rule, after
 * adjusting for the family of checks the rule makes (its tag values ×
 * evaluators; Holm by default). When the interval straddles the threshold the
 * rows cannot tell: reported as inconclusive, never failing.
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
  /**
   * `fail`: beyond the limit with confidence (after the adjustment); `pass`: within it with
   * confidence (the interval's bound clears the limit); `inconclusive`: the rows cannot tell —
   * the interval reaches past the limit, or the raw result did not survive the adjustment.
   */
  readonly status: 'pass' | 'fail' | 'inconclusive';
  /** The metric's own verdict from the same interval (drop rules). */
  readonly verdict?: MetricComparison['verdict'];
  /** One-sided p-value of "dropped by more than the threshold" (drop rules), raw and adjusted over the rule's family. */
  readonly pValue?: number;
  readonly adjustedP?: number;
  /** Checks in the rule's family (its tag values × evaluators), the `m` of the adjustment. */
  readonly family: number;
  readonly note: string;
}

export interface GateResult {
  readonly passed: boolean;
  readonly checks: readonly GateCheck[];
  readonly failures: readonly GateCheck[];
  /** How each rule's family of checks was adjusted for multiplicity. */
  readonly adjustment: Adjustment;
}

export interface GateOptions {
  /** Multiplicity adjustment within each rule's family of checks. Default `holm`. */
  readonly adjust?: Adjustment;
}

/** One-sided level of a 95% two-sided interval: a check fails when its (adjusted) p is below it. */
export const GATE_ALPHA = 0.025;

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const interval = (low: number, high: number) => `95% CI ${percent(low)} … ${percent(high)}`;
const pText = (p: number) => (p >= 0.5 ? 'p ≥ 0.5' : p < 0.0001 ? 'p < 0.0001' : `p = ${p.toFixed(4)}`);

export function evaluateGate(comparison: Comparison, rules: readonly GateRule[], options: GateOptions = {}): GateResult {
  const adjustment = options.adjust ?? 'holm';
  const checks: GateCheck[] = [];
  for (const rule of rules) {
    if (rule.kind === 'max-increase') checks.push(increaseCheck(comparison, rule));
    else checks.push(...dropChecks(comparison, rule, adjustment));
  }
  const failures = checks.filter((check) => check.status === 'fail');
  return { passed: failures.length === 0, checks, failures, adjustment };
}

function increaseCheck(comparison: Comparison, rule: Extract<GateRule, { kind: 'max-increase' }>): GateCheck {
  const overall = comparison.costLatency.find((entry) => entry.group === ALL_ROWS);
  const ratio = rule.metric === 'latency.p95' ? overall?.p95Ratio : overall?.costRatio;
  const ci = rule.metric === 'latency.p95' ? overall?.p95RatioCi : overall?.costRatioCi;
  const base = { rule: rule.text, group: ALL_ROWS, metric: rule.metric, threshold: rule.threshold, family: 1 };
  if (ratio === undefined || ci === undefined) {
    return { ...base, observed: Number.NaN, low: Number.NaN, high: Number.NaN, status: 'inconclusive', note: `no ${rule.metric} data in both experiments` };
  }
  const limit = 1 + rule.threshold;
  const status = ci.low > limit ? 'fail' : ci.high > limit ? 'inconclusive' : 'pass';
  return {
    ...base, observed: ratio - 1, low: ci.low - 1, high: ci.high - 1, status,
    note: status === 'fail'
      ? `increase ${percent(ratio - 1)}, at least ${percent(ci.low - 1)} with 95% confidence`
      : status === 'inconclusive'
        ? `increase ${percent(ratio - 1)} (${interval(ci.low - 1, ci.high - 1)}) reaches past +${percent(rule.threshold)}: cannot tell`
        : `within limit: at most +${percent(ci.high - 1)} with 95% confidence`,
  };
}

function dropChecks(comparison: Comparison, rule: Extract<GateRule, { kind: 'max-drop' }>, adjustment: Adjustment): GateCheck[] {
  const { tag, value } = rule.scope;
  const matches = comparison.metrics.filter((metric) => {
    if (rule.evaluator !== undefined && metric.evaluator !== rule.evaluator) return false;
    if (tag === undefined) return metric.group === ALL_ROWS;
    return value === undefined ? metric.group.startsWith(`${tag}=`) : metric.group === `${tag}=${value}`;
  });
  if (matches.length === 0) {
    return [{
      rule: rule.text, group: tag ? `${tag}=${value ?? '*'}` : ALL_ROWS, metric: rule.evaluator ?? '*', observed: Number.NaN, low: Number.NaN, high: Number.NaN,
      threshold: rule.threshold, status: 'inconclusive', family: 0, note: 'no rows match this rule',
    }];
  }
  const raw = matches.map((metric) => dropPValue(metric.baselineScores, metric.candidateScores, rule.threshold));
  const adjusted = adjustPValues(raw, adjustment);
  const family = matches.length;
  const adjustedBy = adjustment === 'none' || family === 1 ? '' : ` after ${adjustment === 'holm' ? 'Holm' : 'Benjamini–Hochberg'} over ${family} checks`;
  return matches.map((metric, index) => {
    const p = raw[index]!, q = adjusted[index]!;
    const limit = -rule.threshold;
    const beyond = q < GATE_ALPHA;
    const within = metric.ci.low >= limit;
    const status: GateCheck['status'] = beyond ? 'fail' : within ? 'pass' : 'inconclusive';
    const ci = interval(metric.ci.low, metric.ci.high);
    let note: string;
    if (status === 'fail') note = `dropped ${percent(-metric.delta)} (${ci}) beyond −${percent(rule.threshold)}${adjustedBy ? `, ${pText(q)}${adjustedBy}` : ''}`;
    else if (status === 'pass') note = `within limit (${ci})`;
    else if (p < GATE_ALPHA) note = `dropped ${percent(-metric.delta)} (${ci}) beyond −${percent(rule.threshold)} on its own (${pText(p)}), not${adjustedBy} (${pText(q)})`;
    else if (metric.verdict === 'too-few-rows') note = `too few rows to tell (${metric.rows} rows; ${ci} reaches past −${percent(rule.threshold)})`;
    else note = `${metric.verdict}, but the interval reaches past −${percent(rule.threshold)} (${ci}): cannot tell whether the drop exceeds it`;
    return {
      rule: rule.text, group: metric.group, metric: metric.evaluator, observed: metric.delta, low: metric.ci.low, high: metric.ci.high,
      threshold: rule.threshold, status, verdict: metric.verdict, pValue: p, adjustedP: q, family, note,
    };
  });
}
