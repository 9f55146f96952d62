import type { PolicyVerdict, SamplingInput, SamplingPolicy } from './sampling-policy.ts';
import { NOT_MATCHED } from './sampling-policy.ts';

/** Some sub-policy matches; its verdict (and detail) is the answer. */
export class OrPolicy implements SamplingPolicy {
  readonly description: string;
  readonly #policies: readonly SamplingPolicy[];

  constructor(policies: readonly SamplingPolicy[]) {
    this.#policies = policies;
    this.description = `or(${policies.map((p) => p.description).join(', ')})`;
  }

  evaluate(input: SamplingInput): PolicyVerdict {
    for (const policy of this.#policies) {
      const answer = policy.evaluate(input);
      if (answer.matched) return answer;
    }
    return NOT_MATCHED;
  }
}
