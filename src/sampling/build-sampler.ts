import { AndPolicy } from './and.ts';
import { AttributePolicy } from './attribute.ts';
import { CheckFailedPolicy } from './check-failed.ts';
import type { ConversationHash } from './conversation-hash.ts';
import { loadConversationHash } from './conversation-hash.ts';
import { ErrorStatusPolicy } from './error-status.ts';
import { HasToolCallsPolicy } from './has-tool-calls.ts';
import { JudgeBudget } from './judge-budget.ts';
import { NotPolicy } from './not.ts';
import { OrPolicy } from './or.ts';
import { OutcomePolicy } from './outcome.ts';
import { PriceTable } from './prices.ts';
import type { SamplingPolicy } from './sampling-policy.ts';
import type { AlwaysTrigger, SamplingSettings, WhenSettings } from './settings.ts';
import { SamplingSettingsError } from './settings.ts';
import type { Trigger } from './stratified-sampler.ts';
import { StratifiedSampler, UNMATCHED_STRATUM } from './stratified-sampler.ts';

const TRIGGERS: Readonly<Record<AlwaysTrigger, () => Trigger>> = {
  checkFailed: () => ({ reason: 'check_failed', policy: new CheckFailedPolicy() }),
  escalation: () => ({ reason: 'escalation', policy: new OutcomePolicy('escalated') }),
  error: () => ({ reason: 'error', policy: new ErrorStatusPolicy(true) }),
  negativeFeedback: () => ({ reason: 'negative_feedback', policy: new OutcomePolicy('negativeFeedback') }),
};

/** A stratum predicate from settings; `field` names it in errors (e.g. `sampling.strata[1].when`). */
export function buildPolicy(when: WhenSettings, field: string): SamplingPolicy {
  if ('attribute' in when) return new AttributePolicy(when, field);
  if ('hasToolCalls' in when) return new HasToolCallsPolicy(when.hasToolCalls);
  if ('outcome' in when) return new OutcomePolicy(when.outcome);
  if ('error' in when) return new ErrorStatusPolicy(when.error);
  if ('and' in when) return new AndPolicy(when.and.map((w, i) => buildPolicy(w, `${field}.and[${i}]`)));
  if ('or' in when) return new OrPolicy(when.or.map((w, i) => buildPolicy(w, `${field}.or[${i}]`)));
  if ('not' in when) return new NotPolicy(buildPolicy(when.not, `${field}.not`));
  throw new SamplingSettingsError(field, when, 'unknown predicate');
}

/** The sampler for these settings with a hash already loaded (synchronous). */
export function samplerFromSettings(settings: SamplingSettings, hash: ConversationHash): StratifiedSampler {
  const names = new Set<string>();
  const strata = settings.strata.map((stratum, i) => {
    const field = `sampling.strata[${i}]`;
    if (!(stratum.rate >= 0 && stratum.rate <= 1)) throw new SamplingSettingsError(`${field}.rate`, stratum.rate, 'must be between 0 and 1');
    // Decisions, attributes and metrics are keyed by name: two strata must not share one.
    if (names.has(stratum.name) || stratum.name === UNMATCHED_STRATUM) {
      throw new SamplingSettingsError(`${field}.name`, stratum.name, 'is a duplicate or reserved stratum name');
    }
    names.add(stratum.name);
    return { name: stratum.name, rate: stratum.rate, when: stratum.when && buildPolicy(stratum.when, `${field}.when`) };
  });
  const { budget } = settings;
  const prices = new PriceTable(budget.prices);
  const judgePrice = prices.priceOf(budget.judgeModel);
  if (judgePrice === undefined) {
    throw new SamplingSettingsError('sampling.budget.judgeModel', budget.judgeModel, 'has no entry in sampling.budget.prices');
  }
  return new StratifiedSampler({
    strata,
    triggers: settings.always.map((name) => TRIGGERS[name]()),
    outliers: settings.outliers,
    hash,
    budget: new JudgeBudget({
      maxPerHour: budget.maxJudgeCostPerHour,
      maxPerDay: budget.maxJudgeCostPerDay,
      maxShareOfInference: budget.maxJudgeCostShareOfInference,
      paceWindowMs: budget.paceWindowMs,
    }),
    prices,
    judgeCost: { price: judgePrice, overheadTokens: budget.judgeOverheadTokens, outputTokens: budget.judgeOutputTokens },
  });
}

/** Settings (as parsed by src/config/sampling.ts) → the sampler. Async once: the hash loads WebAssembly. */
export async function buildSampler(settings: SamplingSettings): Promise<StratifiedSampler> {
  return samplerFromSettings(settings, await loadConversationHash(settings.hashSalt));
}
