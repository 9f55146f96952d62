import type { PolicyVerdict, SamplingInput, SamplingPolicy } from './sampling-policy.ts';
import { verdict } from './sampling-policy.ts';

/** The sub-policy does not match. */
export class NotPolicy implements SamplingPolicy {
  readonly description: string;
  readonly #policy: SamplingPolicy;

  constructor(policy: SamplingPolicy) {
    this.#policy = policy;
    this.description = `not(${policy.description})`;
  }

  evaluate(input: SamplingInput): PolicyVerdict {
    return verdict(!this.#policy.evaluate(input).matched);
  }
}
