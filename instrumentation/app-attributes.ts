import { diag } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { App } from '../src/model/attributes.ts';

/**
 * Cohort and app attributes handed to the helpers. They come from application
 * code, so they are checked here: a value of the wrong type is dropped with a
 * diag warning naming it, never thrown (telemetry must not break the app).
 */

export type AppScalar = string | number | boolean;
export type AppAttributeValue = AppScalar | readonly string[] | readonly number[] | readonly boolean[];

/** Who the conversation is with, for stratified sampling and per-cohort scores. */
export interface Cohort {
  readonly vertical?: string;
  readonly language?: string;
  readonly flow?: string;
  readonly variant?: string;
  /** Any other dimension: `{ plan: 'pro' }` becomes `app.plan`. */
  readonly [dimension: string]: AppScalar | undefined;
}

const COHORT_KEYS: Readonly<Record<string, string>> = {
  vertical: App.VERTICAL,
  language: App.LANGUAGE,
  flow: App.FLOW,
  variant: App.VARIANT,
};

export function warn(message: string): void {
  diag.warn(`tracejudge: ${message}`);
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? name : 'object';
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

function isScalar(value: unknown): value is AppScalar {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function isHomogeneousArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  if (value.length === 0) return true;
  const first = typeof value[0];
  return value.every((item) => isScalar(item) && typeof item === first);
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `where` names the option for the warning, e.g. `startConversation cohort`. */
export function cohortAttributes(cohort: unknown, where: string): Attributes {
  const attributes: Attributes = {};
  if (cohort === undefined || cohort === null) return attributes;
  if (!isPlainRecord(cohort)) {
    warn(`${where}: expected an object of dimensions, got ${describeType(cohort)}; ignored`);
    return attributes;
  }
  for (const [key, value] of Object.entries(cohort)) {
    if (value === undefined) continue;
    if (!isScalar(value)) {
      warn(`${where}.${key}: expected a string, number or boolean, got ${describeType(value)}; ignored`);
      continue;
    }
    const known = COHORT_KEYS[key];
    const name = known ?? (key.startsWith(App.COHORT_PREFIX) ? key : `${App.COHORT_PREFIX}${key}`);
    attributes[name] = value;
  }
  return attributes;
}

/** Free-form span attributes (any names): scalars and homogeneous scalar arrays only. */
export function appAttributes(input: unknown, where: string): Attributes {
  const attributes: Attributes = {};
  if (input === undefined || input === null) return attributes;
  if (!isPlainRecord(input)) {
    warn(`${where}: expected an object of attributes, got ${describeType(input)}; ignored`);
    return attributes;
  }
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (key === '') {
      warn(`${where}: an attribute with an empty name was ignored`);
      continue;
    }
    if (!isScalar(value) && !isHomogeneousArray(value)) {
      warn(`${where}.${key}: expected a string, number, boolean or an array of one of them, got ${describeType(value)}; ignored`);
      continue;
    }
    attributes[key] = value;
  }
  return attributes;
}

/** A required-looking string option: undefined when missing or malformed, with a warning. */
export function optionalString(value: unknown, where: string, consequence: string): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  warn(`${where}: expected a non-empty string, got ${value === '' ? 'an empty string' : describeType(value)}; ${consequence}`);
  return undefined;
}
