import type { EvaluationDetails, EvaluationResult } from '../model/evaluation-result.ts';
import type { JudgeAnswer } from './answer.ts';
import type { EvaluationTarget } from './evaluator.ts';
import type { JudgeFailure } from './failure.ts';
import type { ResponseFormatMode } from './judge-call.ts';
import type { JudgeScope } from './prompt.ts';
import { majorityLabel, spreadOf } from './repeats.ts';
import { normalizeScore, rubricVersion, type Rubric } from './rubric.ts';

/** One attempt at one judgment (one of the repeats), answered or not. */
export type JudgmentAttempt = {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd?: number;
  readonly usageEstimated?: boolean;
  readonly mode?: ResponseFormatMode;
} & ({ readonly ok: true; readonly answer: JudgeAnswer } | { readonly ok: false; readonly failure: JudgeFailure });

export interface Provenance {
  readonly model: string;
  readonly scope: JudgeScope;
  readonly repeats: number;
}

/**
 * The result for one rubric: mean of the answered repeats (mapped to 0..1),
 * majority label, the reasoning closest to the mean as explanation, and
 * provenance in `details` (written as `tracejudge.<key>` by src/results).
 * When no repeat was answered, the result carries the first failure as `error`.
 */
export function judgmentResult(rubric: Rubric, attempts: readonly JudgmentAttempt[], target: EvaluationTarget, provenance: Provenance): EvaluationResult {
  const details: Record<string, EvaluationDetails[string]> = {
    'judge.model': provenance.model,
    'judge.scope': provenance.scope,
    'rubric.name': rubric.name,
    'rubric.version': rubricVersion(rubric),
    'rubric.scale': `${rubric.scale.min}..${rubric.scale.max}`,
    'judge.repeats': provenance.repeats,
  };
  if (target.sampling) {
    details['sampling.stratum'] = target.sampling.stratum;
    details['sampling.weight'] = target.sampling.weight;
  }
  if (target.responseId) details['target.response_id'] = target.responseId;
  details['judge.input_tokens'] = sum(attempts.map((attempt) => attempt.inputTokens));
  details['judge.output_tokens'] = sum(attempts.map((attempt) => attempt.outputTokens));
  const costs = attempts.flatMap((attempt) => (attempt.costUsd === undefined ? [] : [attempt.costUsd]));
  if (costs.length > 0) details['judge.cost_usd'] = sum(costs);
  if (attempts.some((attempt) => attempt.usageEstimated)) details['judge.usage_estimated'] = true;

  const answered = attempts.flatMap((attempt) => (attempt.ok ? [{ answer: attempt.answer, mode: attempt.mode }] : []));
  const failures = attempts.flatMap((attempt) => (attempt.ok ? [] : [attempt.failure]));
  if (failures.length > 0) {
    details['judge.repeats_failed'] = failures.length;
    details['judge.errors'] = failures.map((failure) => failure.type);
  }
  if (answered.length === 0) {
    const first = failures[0] ?? { type: 'judge_failed', message: 'no judgment was attempted' };
    return { name: rubric.name, source: 'judge', details, error: { type: first.type, message: first.message } };
  }

  const scores = answered.map(({ answer }) => normalizeScore(answer.score, rubric.scale));
  const spread = spreadOf(scores);
  const raw = spreadOf(answered.map(({ answer }) => answer.score));
  details['judge.raw_score'] = raw.mean;
  details['judge.response_format'] = answered[answered.length - 1].mode ?? 'json_schema';
  if (provenance.repeats > 1) {
    details['judge.repeats_ok'] = answered.length;
    details['judge.score_mean'] = spread.mean;
    details['judge.score_stddev'] = spread.stddev;
    details['judge.score_min'] = spread.min;
    details['judge.score_max'] = spread.max;
    details['judge.raw_scores'] = answered.map(({ answer }) => answer.score);
  }
  const closest = scores.reduce((best, score, index) => (Math.abs(score - spread.mean) < Math.abs(scores[best] - spread.mean) ? index : best), 0);
  return {
    name: rubric.name,
    score: spread.mean,
    label: majorityLabel(answered.map(({ answer }) => answer.label), rubric.labels),
    explanation: answered[closest].answer.reasoning,
    source: 'judge',
    details,
  };
}

/** An error result for a rubric that could not be judged at all (shed, circuit open, unexpected failure). */
export function failedResult(rubric: Rubric, failure: Pick<JudgeFailure, 'type' | 'message'>, target: EvaluationTarget, provenance: Provenance): EvaluationResult {
  return judgmentResult(rubric, [{ ok: false, failure: { ...failure, breaker: 'neutral' }, inputTokens: 0, outputTokens: 0 }], target, provenance);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
