import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { EvaluationResult } from '../model/evaluation-result.ts';
import { EvaluationAttributes, TRACEJUDGE_PREFIX, TracejudgeAttributes } from './names.ts';

/** What the caller knows beyond the result itself. */
export interface EvaluationEventExtras {
  /** Written as `gen_ai.response.id`. */
  readonly responseId?: string;
  /** Further facts, each written as `tracejudge.<key>` (a key already under `tracejudge.` is kept). */
  readonly attributes?: Readonly<Record<string, AttributeValue | readonly string[] | readonly number[] | undefined>>;
}

/**
 * The attributes of one `gen_ai.evaluation.result` event. Total: whatever a
 * check or judge put in the result, this returns valid simple attributes
 * (span events carry only primitives and homogeneous primitive arrays,
 * OTEP 4485) and never throws. What a reader needs first comes first — Jaeger and Tempo list a
 * span event's attributes in the order written, and a collapsed event shows the first ones:
 * `gen_ai.evaluation.name`, `score.label`, `score.value`, `explanation`, then the rest, then
 * provenance (`tracejudge.*`). A detail can never overwrite a name already written.
 */
export function evaluationEventAttributes(result: EvaluationResult, extras: EvaluationEventExtras = {}): Attributes {
  const attributes: Attributes = {};
  attributes[EvaluationAttributes.NAME] = String(result.name);
  if (typeof result.label === 'string' && result.label) attributes[EvaluationAttributes.SCORE_LABEL] = result.label;
  if (typeof result.score === 'number' && Number.isFinite(result.score)) {
    attributes[EvaluationAttributes.SCORE_VALUE] = result.score;
  }
  const explanation = result.explanation || result.error?.message;
  if (explanation) attributes[EvaluationAttributes.EXPLANATION] = String(explanation);
  if (result.error) attributes[EvaluationAttributes.ERROR_TYPE] = String(result.error.type || 'error');
  if (extras.responseId) attributes[EvaluationAttributes.RESPONSE_ID] = extras.responseId;
  attributes[TracejudgeAttributes.EVALUATION_SOURCE] = String(result.source);
  if (result.error?.message) attributes[TracejudgeAttributes.ERROR_MESSAGE] = String(result.error.message);
  if (result.details) {
    for (const key in result.details) putExtra(attributes, key, result.details[key]);
  }
  if (extras.attributes) {
    for (const key in extras.attributes) putExtra(attributes, key, extras.attributes[key]);
  }
  return attributes;
}

function putExtra(attributes: Attributes, key: string, value: unknown): void {
  const simple = simpleValue(value);
  if (simple === undefined) return;
  const name = attributeName(key);
  if (attributes[name] === undefined) attributes[name] = simple;
}

/**
 * `tracejudge.<key>` for each key met lately. Checks write the same few detail keys on every
 * result, and joining the name again made a new string that had to be flattened and looked
 * up as a property name for every attribute of every event. Bounded: ever-new keys clear it.
 */
const attributeNames = new Map<string, string>();
const MAX_ATTRIBUTE_NAMES = 256;

function attributeName(key: string): string {
  let name = attributeNames.get(key);
  if (name === undefined) {
    name = key.startsWith(TRACEJUDGE_PREFIX) ? key : TRACEJUDGE_PREFIX + key;
    if (attributeNames.size >= MAX_ATTRIBUTE_NAMES) attributeNames.clear();
    attributeNames.set(key, name);
  }
  return name;
}

/** Arrays stay arrays when homogeneous; anything else becomes a string rather than being dropped. */
function simpleValue(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'undefined':
      return undefined;
    default:
      break;
  }
  if (value === null) return undefined;
  // An empty list says nothing the label does not (e.g. no ungrounded values on a pass), and every
  // attribute is paid for again in each export: left out.
  if (Array.isArray(value)) return value.length === 0 ? undefined : simpleArray(value);
  return safeJson(value);
}

function simpleArray(values: readonly unknown[]): AttributeValue {
  if (values.every((item) => typeof item === 'string')) return [...(values as string[])];
  if (values.every((item) => typeof item === 'number' && Number.isFinite(item))) return [...(values as number[])];
  if (values.every((item) => typeof item === 'boolean')) return [...(values as boolean[])];
  return values.map((item) => (typeof item === 'string' ? item : safeJson(item)));
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item)) ?? String(value);
  } catch {
    return String(value);
  }
}
