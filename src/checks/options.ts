import type { Conversation } from '../model/conversation.ts';
import type { GroundingIndex } from './grounding.ts';

/** Options shared by the commitment checks (src/config `checks.maxScannedChars` feeds the first). */
export interface CommitmentCheckOptions {
  /** Characters of a reply to scan; default `DEFAULT_MAX_SCANNED_CHARS` (64 KiB). */
  readonly maxScannedChars?: number;
  /** Where a conversation's grounding index comes from; default a weak per-conversation cache. */
  readonly groundingIndexFor?: (conversation: Conversation) => GroundingIndex;
}
