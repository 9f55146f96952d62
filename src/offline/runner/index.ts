export { ExperimentError, runExperiment, type RunExperimentOptions, type RunProgress, type RunSummary } from './run-experiment.ts';
export { RunTimeoutError } from './run-one.ts';
export { startOfflineTracing, type OfflineTracing } from './offline-tracing.ts';
