import type { PolicyVerdict, SamplingInput, SamplingPolicy } from './sampling-policy.ts';
import { verdict } from './sampling-policy.ts';

/** OTLP status code 2 (ERROR) on any span of the turn, as the Collector's `status_code` policy. */
const STATUS_ERROR = 2;

export class ErrorStatusPolicy implements SamplingPolicy {
  readonly description: string;
  readonly #wanted: boolean;

  constructor(wanted = true) {
    this.#wanted = wanted;
    this.description = `error ${wanted}`;
  }

  evaluate(input: SamplingInput): PolicyVerdict {
    let found = false;
    for (const view of input.spans) {
      if (view.span.status.code === STATUS_ERROR) {
        found = true;
        break;
      }
    }
    return verdict(found === this.#wanted);
  }
}
