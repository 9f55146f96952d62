import type { PolicyVerdict, SamplingInput, SamplingPolicy } from './sampling-policy.ts';
import { MATCHED, NOT_MATCHED } from './sampling-policy.ts';

/** Every sub-policy matches (short-circuits on the first that does not). */
export class AndPolicy implements SamplingPolicy {
  readonly description: string;
  readonly #policies: readonly SamplingPolicy[];

  constructor(policies: readonly SamplingPolicy[]) {
    this.#policies = policies;
    this.description = `and(${policies.map((p) => p.description).join(', ')})`;
  }

  evaluate(input: SamplingInput): PolicyVerdict {
    for (const policy of this.#policies) if (!policy.evaluate(input).matched) return NOT_MATCHED;
    return MATCHED;
  }
}
