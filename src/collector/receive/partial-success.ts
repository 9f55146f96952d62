import type { SpanRejection } from '../../otlp/index.ts';

/** Rejections quoted in `partialSuccess.errorMessage`; the rest are counted. */
const QUOTED_REJECTIONS = 5;

/** OTLP partial success for what a request had that could not be used (200: the client must not retry those). */
export function partialSuccessOf(rejected: readonly SpanRejection[], what = 'spans rejected') {
  if (rejected.length === 0) return undefined;
  const quoted = rejected.slice(0, QUOTED_REJECTIONS).map((r) => r.message);
  const more = rejected.length > QUOTED_REJECTIONS ? `; and ${rejected.length - QUOTED_REJECTIONS} more` : '';
  return { rejectedSpans: rejected.length, errorMessage: `${rejected.length} ${what}: ${quoted.join('; ')}${more}` };
}
