import type { Decision } from './decision.ts';

/**
 * Span attributes carrying the sampling decision (DESIGN.md "Sampling"), so
 * downstream aggregates can be reweighted to population estimates: per stratum,
 * count every turn (sampled or not) and weight each judged one by `weight`.
 */
export const SamplingAttributes = {
  SAMPLED: 'tracejudge.sampling.sampled',
  STRATUM: 'tracejudge.sampling.stratum',
  RATE: 'tracejudge.sampling.rate',
  WEIGHT: 'tracejudge.sampling.weight',
  REASON: 'tracejudge.sampling.reason',
} as const;

export type DecisionAttributes = Readonly<Record<string, string | number | boolean>>;

/** The attributes to set on every span of the turn. Weight only when sampled (it is 1/rate of a judged turn). */
export function decisionAttributes(decision: Decision): DecisionAttributes {
  const attributes: Record<string, string | number | boolean> = {
    [SamplingAttributes.SAMPLED]: decision.sampled,
    [SamplingAttributes.STRATUM]: decision.stratum,
    [SamplingAttributes.RATE]: decision.rate,
    [SamplingAttributes.REASON]: decision.reason,
  };
  if (decision.sampled) attributes[SamplingAttributes.WEIGHT] = decision.weight;
  return attributes;
}
