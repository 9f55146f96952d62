import { DEFAULT_MAX_ATTRIBUTE_CHARS, DEFAULT_MAX_ITEMS, normalizeSpan } from '../src/model/index.ts';
import type { NormalizeOptions, SpanRecord, SpanView } from '../src/model/index.ts';

/**
 * The view of the span now ending, shared between the stages of one `onEnding`
 * (inline checks first, then the online stage), so a span is normalized once
 * (measured: normalizing twice made the online span path 1.75× the inline-only
 * one, bench/online.ts). One slot is enough: a span's `onEnding` hooks run back
 * to back, synchronously, before any other span ends. Keyed by the object the
 * stages are handed (the SDK span), and by the normalize limits it was read with.
 */
let endingTarget: object | undefined;
let endingView: SpanView | undefined;
let endingChars = 0;
let endingItems = 0;

/** Called by the stage that normalized the span ending on `target`. */
export function rememberEndingView(target: object, view: SpanView, options: NormalizeOptions | undefined): void {
  endingTarget = target;
  endingView = view;
  endingChars = options?.maxAttributeChars ?? DEFAULT_MAX_ATTRIBUTE_CHARS;
  endingItems = options?.maxItems ?? DEFAULT_MAX_ITEMS;
}

/** The view already read for `target` with the same limits, else `record` normalized now. */
export function endingViewOf(target: object, record: () => SpanRecord, options: NormalizeOptions | undefined): SpanView {
  const view = endingView;
  if (
    view !== undefined &&
    target === endingTarget &&
    endingChars === (options?.maxAttributeChars ?? DEFAULT_MAX_ATTRIBUTE_CHARS) &&
    endingItems === (options?.maxItems ?? DEFAULT_MAX_ITEMS)
  ) {
    return view;
  }
  return normalizeSpan(record(), options);
}
