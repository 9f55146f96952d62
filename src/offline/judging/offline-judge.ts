import type { JudgeConfig } from '../../config/judge.ts';
import { JudgeClient } from '../../judge/judge-options.ts';
import { CostMeter, JudgeConfigError, LlmJudge } from '../../judge/index.ts';
import type { Evaluator } from '../../judge/index.ts';
import { semanticEquivalence } from '../evaluators/semantic-equivalence.ts';
import type { ReferenceEvaluator } from '../evaluators/index.ts';

/** The judge of an experiment: rubric evaluators on every run, and the judge-backed reference evaluators. */
export interface OfflineJudging {
  /** The LLM judge: one result per configured rubric, named by the rubric. */
  readonly evaluators: readonly Evaluator[];
  /** `reference.semantic_equivalence` (rows with `reference.answer`). */
  readonly referenceEvaluators: readonly ReferenceEvaluator[];
  /** The judge's spend so far in this process: rubric judgments and semantic-equivalence checks. */
  cost(): { readonly inputTokens: number; readonly outputTokens: number; readonly usd: number; readonly unpricedCalls: number };
  close(): Promise<void>;
}

/**
 * From the config's `judge` section. Offline there is no sampling: every run
 * is judged. One client serves the rubric judge and semantic equivalence, with
 * the section's timeout and retries.
 * @throws JudgeConfigError naming the field (`judge.apiKeyEnv`, `judge.rubrics[1]`…).
 */
export function offlineJudging(judge: JudgeConfig, env: Readonly<Record<string, string | undefined>> = process.env): OfflineJudging {
  const apiKey = env[judge.apiKeyEnv];
  if (!apiKey) {
    throw new JudgeConfigError([`judge.apiKeyEnv: environment variable ${judge.apiKeyEnv} is not set (it holds the judge's API key; local servers accept any value)`]);
  }
  const baseURL = judge.baseURL ?? env.OPENAI_BASE_URL;
  // Made on the first judgment: the openai package loads then (judge/openai-runtime.ts).
  const client = new JudgeClient(undefined, { apiKey, ...(baseURL ? { baseURL } : {}), timeout: judge.timeout, maxRetries: judge.maxRetries });
  const rubricJudge = new LlmJudge({ ...judge, client, env });
  const equivalenceMeter = new CostMeter(judge.prices);
  return {
    evaluators: [rubricJudge],
    referenceEvaluators: [semanticEquivalence({ client, model: judge.model, temperature: judge.temperature, meter: equivalenceMeter })],
    cost: () => {
      const [rubrics, equivalence] = [rubricJudge.stats().cost, equivalenceMeter.totals()];
      return {
        inputTokens: rubrics.inputTokens + equivalence.inputTokens,
        outputTokens: rubrics.outputTokens + equivalence.outputTokens,
        usd: rubrics.usd + equivalence.usd,
        unpricedCalls: rubrics.unpricedCalls + equivalence.unpricedCalls,
      };
    },
    close: () => rubricJudge.close(),
  };
}
