/** What the store keeps per evaluated reply. Text fields are masked before they get here. */

export interface TranscriptLine {
  readonly role: string;
  readonly text: string;
}

export interface StoredScore {
  readonly name: string;
  readonly score?: number;
  readonly label?: string;
  readonly explanation?: string;
  /** `deterministic` | `judge` | `human`: the provenance of the score. */
  readonly source: string;
  readonly errorType?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface ConversationRecord {
  readonly conversationId: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly responseId?: string;
  /** Unix ms. */
  readonly recordedAt: number;
  readonly stratum?: string;
  /** 1 / sampling rate, for reweighted aggregates (DESIGN.md, "Sampling"). */
  readonly weight?: number;
  readonly cohort?: Readonly<Record<string, string>>;
  readonly userMessages: readonly string[];
  readonly transcript: readonly TranscriptLine[];
  readonly scores: readonly StoredScore[];
}

export interface StoredConversation extends ConversationRecord {
  readonly row: number;
  readonly stratum: string;
  readonly weight: number;
  readonly cohort: Readonly<Record<string, string>>;
}
