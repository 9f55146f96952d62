import type { Conversation } from '../model/conversation.ts';
import type { SourceKeys } from './source-keys.ts';
import { CheckInputError } from './check-input-error.ts';
import { DEFAULT_MAX_LINE_ITEMS, groundingIndexesWith, groundingIndexFor } from './grounding.ts';
import type { GroundingIndex } from './grounding.ts';

/** Options shared by the commitment checks (src/config `checks.maxScannedChars` feeds the first). */
export interface CommitmentCheckOptions {
  /** Characters of a reply to scan; default `DEFAULT_MAX_SCANNED_CHARS` (64 KiB). */
  readonly maxScannedChars?: number;
  /**
   * Where a conversation's grounding index comes from; default a weak per-conversation cache,
   * reading sources with `sourceKeys`. Checks meant to share one index are given the same function
   * (`groundingIndexesWith(sourceKeys)`; `builtinChecksWith` does this).
   */
  readonly groundingIndexFor?: (conversation: Conversation) => GroundingIndex;
  /** A total may add up to this many line items of one source (default 4; 2 turns totals off: a sum of two is always taken). */
  readonly maxLineItems?: number;
  /** Key words a team's tool schemas use for money, percentages, identifiers, counts (docs/checks.md). */
  readonly sourceKeys?: SourceKeys;
}

/** `maxLineItems`, checked: a total searched over an unbounded count of items would be exponential. */
export function maxLineItemsOf(options: CommitmentCheckOptions): number {
  const value: unknown = options.maxLineItems;
  if (value === undefined) return DEFAULT_MAX_LINE_ITEMS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 12) throw new CheckInputError('maxLineItems', value, 'an integer from 1 to 12');
  return value;
}

/** Where a check's grounding indexes come from: the caller's cache, one reading with its `sourceKeys`, or the shared built-in one. */
export function indexSourceOf(options: CommitmentCheckOptions): (conversation: Conversation) => GroundingIndex {
  return options.groundingIndexFor ?? (options.sourceKeys ? groundingIndexesWith(options.sourceKeys) : groundingIndexFor);
}
