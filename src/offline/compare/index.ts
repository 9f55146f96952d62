export { ALL_ROWS, CompareError, compareExperiments, compareMetric, NO_CHANGE_MARGIN, UNSTABLE_SPREAD, verdictOf } from './compare.ts';
export type { Comparison, CompareOptions, CostLatencyComparison, MetricComparison, UnstableRow } from './compare.ts';
export { evaluateGate, GATE_ALPHA, GateRuleError, parseGateRule, parseGateRules } from './gate.ts';
export type { GateCheck, GateOptions, GateResult, GateRule } from './gate.ts';
export * from './stats.ts';
export * from './bootstrap.ts';
export * from './paired-difference.ts';
export { adjustPValues, ADJUSTMENTS, type Adjustment } from './multiplicity.ts';
