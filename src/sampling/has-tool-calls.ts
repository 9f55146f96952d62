import type { PolicyVerdict, SamplingInput, SamplingPolicy } from './sampling-policy.ts';
import { verdict } from './sampling-policy.ts';

/** The turn called a tool: an execute_tool span, or tool calls requested by a model. */
export class HasToolCallsPolicy implements SamplingPolicy {
  readonly description: string;
  readonly #wanted: boolean;

  constructor(wanted = true) {
    this.#wanted = wanted;
    this.description = `hasToolCalls ${wanted}`;
  }

  evaluate(input: SamplingInput): PolicyVerdict {
    let found = false;
    for (const view of input.spans) {
      if (view.operation === 'execute_tool' || view.toolCalls.length > 0) {
        found = true;
        break;
      }
    }
    return verdict(found === this.#wanted);
  }
}
