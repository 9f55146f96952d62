/** Offline evaluation: datasets, the experiment runner, comparison, the CI gate and reports (docs/offline.md). */
export * from './dataset/index.ts';
export { AgentModuleError, loadAgent, normalizeOutput } from './agent.ts';
export type { AgentContext, AgentOutput, OfflineAgent } from './agent.ts';
export * from './evaluators/index.ts';
export * from './runner/index.ts';
export { RunTraceCollector, type RunTrace } from './run-trace.ts';
export * from './compare/index.ts';
export * from './report/index.ts';
