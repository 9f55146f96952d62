export { ALL_ROWS, CompareError, compareExperiments, compareMetric, UNSTABLE_SPREAD } from './compare.ts';
export type { Comparison, CompareOptions, CostLatencyComparison, MetricComparison, UnstableRow } from './compare.ts';
export { evaluateGate, GateRuleError, parseGateRule, parseGateRules } from './gate.ts';
export type { GateCheck, GateResult, GateRule } from './gate.ts';
export * from './stats.ts';
export * from './bootstrap.ts';
