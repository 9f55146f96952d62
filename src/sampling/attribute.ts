import type { AttributeValue } from '../model/span-record.ts';
import type { PolicyVerdict, SamplingInput, SamplingPolicy } from './sampling-policy.ts';
import { verdict } from './sampling-policy.ts';
import type { AttributeWhen, ScalarValue } from './settings.ts';
import { SamplingSettingsError } from './settings.ts';

type ValueTest = (value: string | number | boolean) => boolean;

/**
 * Predicate on one span or resource attribute, after the Collector's
 * `string_attribute` / `numeric_attribute` policies. The turn matches when some
 * span of the turn carries (on itself, else on its resource) a value that
 * passes every operator; array values match when one element does. Values are
 * compared across spellings (OTLP int64 as bigint, `"true"` vs `true`,
 * `"30"` vs `30`) because front doors differ in how they type attributes.
 */
export class AttributePolicy implements SamplingPolicy {
  readonly description: string;
  readonly #key: string;
  readonly #tests: readonly ValueTest[];
  readonly #mustBeAbsent: boolean;

  constructor(when: AttributeWhen, field = 'when') {
    this.#key = when.attribute;
    const tests: ValueTest[] = [];
    const parts: string[] = [];
    if (when.equals !== undefined) {
      const expected = when.equals;
      tests.push((v) => sameValue(v, expected));
      parts.push(`equals ${JSON.stringify(expected)}`);
    }
    if (when.notEquals !== undefined) {
      const unwanted = when.notEquals;
      tests.push((v) => !sameValue(v, unwanted));
      parts.push(`notEquals ${JSON.stringify(unwanted)}`);
    }
    if (when.in !== undefined) {
      const allowed = when.in;
      tests.push((v) => allowed.some((a) => sameValue(v, a)));
      parts.push(`in ${JSON.stringify(allowed)}`);
    }
    if (when.lessThan !== undefined) {
      const bound = when.lessThan;
      tests.push((v) => numeric(v) < bound);
      parts.push(`lessThan ${bound}`);
    }
    if (when.greaterThan !== undefined) {
      const bound = when.greaterThan;
      tests.push((v) => numeric(v) > bound);
      parts.push(`greaterThan ${bound}`);
    }
    if (when.regex !== undefined) {
      let pattern: RegExp;
      try {
        pattern = new RegExp(when.regex);
      } catch (error) {
        throw new SamplingSettingsError(`${field}.regex`, when.regex, `invalid regular expression (${(error as Error).message})`);
      }
      tests.push((v) => pattern.test(String(v)));
      parts.push(`regex /${when.regex}/`);
    }
    if (when.exists === false && tests.length > 0) {
      throw new SamplingSettingsError(`${field}.exists`, false, 'cannot be combined with value operators');
    }
    if (when.exists !== undefined) parts.push(`exists ${when.exists}`);
    if (parts.length === 0) {
      throw new SamplingSettingsError(field, when, 'an attribute predicate needs an operator (equals, notEquals, in, exists, lessThan, greaterThan, regex)');
    }
    this.#tests = tests;
    this.#mustBeAbsent = when.exists === false;
    this.description = `attribute ${when.attribute} ${parts.join(' ')}`;
  }

  evaluate(input: SamplingInput): PolicyVerdict {
    let seen = false;
    for (const view of input.spans) {
      const value = view.span.attributes[this.#key] ?? view.span.resourceAttributes[this.#key];
      if (value === undefined || value === null) continue;
      seen = true;
      if (this.#mustBeAbsent) return verdict(false);
      if (this.#passes(value)) return verdict(true);
    }
    return verdict(this.#mustBeAbsent && !seen);
  }

  #passes(value: AttributeValue): boolean {
    if (Array.isArray(value)) return value.some((element) => this.#passes(element));
    const scalar = toScalar(value);
    if (scalar === undefined) return false;
    for (const test of this.#tests) if (!test(scalar)) return false;
    return true;
  }
}

function toScalar(value: AttributeValue): string | number | boolean | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return Number(value);
    default:
      return undefined; // maps and bytes are not compared
  }
}

function numeric(value: string | number | boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

function sameValue(actual: string | number | boolean, expected: ScalarValue): boolean {
  if (typeof actual === typeof expected) return actual === expected;
  if (typeof expected === 'number') return numeric(actual) === expected;
  if (typeof actual === 'number') return numeric(expected) === actual;
  return String(actual) === String(expected);
}
