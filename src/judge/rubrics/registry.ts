import { JudgeConfigError } from '../config-error.ts';
import { rubricProblems, type Rubric } from '../rubric.ts';
import { completeness } from './completeness.ts';
import { correctness } from './correctness.ts';
import { escalation } from './escalation.ts';
import { faithfulness } from './faithfulness.ts';
import { policyCompliance } from './policy-compliance.ts';
import { tone } from './tone.ts';

/** The built-in rubrics. A new one is a file in this folder and a line here. */
export const BUILTIN_RUBRICS: readonly Rubric[] = [faithfulness, correctness, completeness, tone, policyCompliance, escalation];

/** Short names people write in configs (DESIGN.md's example says `policy`). */
const ALIASES: Readonly<Record<string, string>> = { policy: 'policy_compliance', escalation_appropriateness: 'escalation' };

/** A rubric written in the config file. */
export interface CustomRubricSpec {
  readonly name: string;
  readonly description?: string;
  readonly instructions: string;
  readonly labels: readonly string[];
  readonly scale: { readonly min: number; readonly max: number; readonly integer?: boolean };
}

/** Built-in and custom rubrics by name; custom names may not shadow built-in ones. */
export class RubricRegistry {
  readonly #byName = new Map<string, Rubric>();

  /**
   * Bad custom rubrics are left out and described in `problems` (`judge.custom[i].<field>: …`);
   * without a `problems` list they throw a JudgeConfigError.
   */
  constructor(custom: readonly CustomRubricSpec[] = [], problems?: string[]) {
    for (const rubric of BUILTIN_RUBRICS) this.#byName.set(rubric.name, rubric);
    const found: string[] = [];
    custom.forEach((spec, index) => {
      const rubric: Rubric = {
        name: spec.name,
        description: spec.description ?? `Custom rubric ${spec.name}.`,
        instructions: spec.instructions,
        labels: [...spec.labels],
        scale: { min: spec.scale.min, max: spec.scale.max, integer: spec.scale.integer ?? true },
      };
      const where = `judge.custom[${index}]`;
      const own = rubricProblems(rubric).map((problem) => `${where}.${problem}`);
      if (this.#byName.has(rubric.name) || rubric.name in ALIASES) {
        own.push(`${where}.name: ${JSON.stringify(rubric.name)} is already a rubric name; choose another`);
      }
      found.push(...own);
      if (own.length === 0) this.#byName.set(rubric.name, rubric);
    });
    if (problems) problems.push(...found);
    else if (found.length > 0) throw new JudgeConfigError(found);
  }

  get(name: string): Rubric | undefined {
    return this.#byName.get(ALIASES[name] ?? name);
  }

  names(): string[] {
    return [...this.#byName.keys()];
  }

  /**
   * The rubrics for a list of names from config, in order, without repeats.
   * Unknown names are collected into `problems` as `<path>[i]: …`.
   */
  resolve(names: readonly string[], path: string, problems: string[]): Rubric[] {
    const rubrics: Rubric[] = [];
    names.forEach((name, index) => {
      const rubric = this.get(name);
      if (!rubric) {
        problems.push(`${path}[${index}]: unknown rubric ${JSON.stringify(name)}; known: ${this.names().join(', ')}`);
      } else if (!rubrics.includes(rubric)) {
        rubrics.push(rubric);
      }
    });
    return rubrics;
  }
}
