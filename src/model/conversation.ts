import type { Message, ToolCall } from './messages.ts';

/**
 * A piece of text a commitment may be grounded in (DESIGN.md, "Grounding"):
 * tool results, system instructions, retrieved context, user messages.
 * Assistant text never grounds anything: the agent cannot vouch for itself.
 */
export type GroundingSourceKind = 'tool_result' | 'system_instructions' | 'retrieved_context' | 'user_message';

export interface GroundingSource {
  readonly kind: GroundingSourceKind;
  readonly text: string;
  /** Where it was seen, for explanations. */
  readonly traceId?: string;
  readonly spanId?: string;
}

/**
 * What the pipeline knows about a conversation so far. Sources are appended
 * in the order they were seen, so "up to that turn" is "what is here when the
 * turn's reply is checked". Bounded by the owner (processor memory).
 */
export interface Conversation {
  readonly id: string;
  readonly sources: readonly GroundingSource[];
}

/** One assistant reply under evaluation, with where it came from. */
export interface Turn {
  readonly conversationId: string;
  readonly traceId: string;
  readonly spanId: string;
  /** The assistant message(s) produced in this turn. */
  readonly reply: readonly Message[];
  /** Plain text of the reply (text parts joined by newlines). */
  readonly replyText: string;
  readonly toolCalls: readonly ToolCall[];
}
