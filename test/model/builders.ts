import { SpanKindOtlp } from '../../src/model/span-record.ts';
import type { Attributes, SpanRecord } from '../../src/model/span-record.ts';

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const SPAN_ID = 'b7ad6b7169203331';

/**
 * A SpanRecord with plain defaults: give only what the test is about.
 * Shared by every folder that needs a span without running an SDK.
 */
export function spanRecord(overrides: Partial<SpanRecord> & { readonly attributes?: Attributes } = {}): SpanRecord {
  const start = 1_760_000_000_000_000_000n;
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    name: 'span',
    kind: SpanKindOtlp.INTERNAL,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 250_000_000n,
    attributes: {},
    resourceAttributes: {},
    status: { code: 0 },
    events: [],
    ...overrides,
  };
}

/** The same attributes with every structured (map / array) value as a JSON string: the SDK 2.x form. */
export function asJsonStrings(attributes: Attributes): Attributes {
  const out: Record<string, Attributes[string]> = {};
  for (const [key, value] of Object.entries(attributes)) {
    out[key] = typeof value === 'object' && value !== null ? JSON.stringify(value) : value;
  }
  return out;
}
