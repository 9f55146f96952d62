import { pipelineOptionsFromConfig } from '../../processors/index.ts';
import type { EvaluationPipelineOptions } from '../../processors/index.ts';
import { ConfigError, loadConfig, resolveConfig } from '../config/index.ts';
import type { TracejudgeConfig } from '../config/index.ts';
import { CliUsageError } from './cli-command.ts';

/** The config file when given, else defaults (with `TRACEJUDGE_*` variables); errors become usage errors. */
export async function cliConfig(path: string | undefined): Promise<TracejudgeConfig> {
  try {
    return path === undefined ? resolveConfig({}) : await loadConfig(path);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliUsageError(error.message);
    throw error;
  }
}

export function cliPipelineOptions(config: TracejudgeConfig): EvaluationPipelineOptions {
  try {
    return pipelineOptionsFromConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliUsageError(error.message);
    throw error;
  }
}
