/** Offline evaluation: datasets, the experiment runner, comparison, the CI gate and reports (docs/offline.md). */
export * from './dataset/index.ts';
export { AgentModuleError, loadAgent, normalizeOutput } from './agent.ts';
export type { AgentContext, AgentOutput, OfflineAgent } from './agent.ts';
export * from './evaluators/index.ts';
export * from './runner/index.ts';
export { RUN_CONTEXT_KEY, RunTraceCollector, type RunTrace } from './run-trace.ts';
export * from './compare/index.ts';
export * from './report/index.ts';
export { offlineJudging, type OfflineJudging } from './judging/offline-judge.ts';
export { judgeTarget } from './judging/judge-target.ts';
export type { SpanTranscript } from './judging/span-transcript.ts';
