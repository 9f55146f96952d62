import type { PolicyVerdict, SamplingInput, SamplingPolicy } from './sampling-policy.ts';
import { MATCHED, NOT_MATCHED } from './sampling-policy.ts';

/**
 * A deterministic check failed on the turn (e.g. an ungrounded price): the
 * judge should always look, since these are the turns review is for.
 */
export class CheckFailedPolicy implements SamplingPolicy {
  readonly description = 'checkFailed';

  evaluate(input: SamplingInput): PolicyVerdict {
    return input.checkFailed ? MATCHED : NOT_MATCHED;
  }
}
