/** A check was handed input of the wrong shape; names the field and the value. */
export class CheckInputError extends TypeError {
  override readonly name = 'CheckInputError';
  readonly field: string;

  constructor(field: string, value: unknown, expected: string) {
    super(`${field} must be ${expected}, got ${describe(value)}`);
    this.field = field;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}
