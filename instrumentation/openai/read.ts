/**
 * Request and response bodies are read defensively: callers can pass anything
 * in JavaScript, OpenAI-compatible servers answer with variations, and a shape
 * we do not know must cost an attribute, never an exception in the app.
 */
export type Loose = { readonly [key: string]: unknown };

export function asRecord(value: unknown): Loose | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function asList(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function setNumber(attributes: { [key: string]: unknown }, name: string, value: unknown): void {
  const number = asNumber(value);
  if (number !== undefined) attributes[name] = number;
}
