import type { Message, ToolCall } from './messages.ts';
import type { SpanRecord } from './span-record.ts';

/** What a span is, in GenAI terms, whichever instrumentation wrote it. */
export type SpanOperation = 'invoke_agent' | 'chat' | 'execute_tool' | 'retrieval' | 'embeddings' | 'workflow' | 'other';

/** Outcome signals the app recorded (instrumentation/outcomes). */
export interface OutcomeSignals {
  readonly escalated?: boolean;
  readonly bookingMade?: boolean;
  readonly ticketCreated?: boolean;
  /** e.g. `positive` / `negative`, or a free label. */
  readonly userFeedback?: string;
  /** The app said the conversation is over (`Conversation.end()`). */
  readonly conversationEnded?: boolean;
}

export interface TokenUsage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
}

/**
 * One span, normalized. Content fields are empty when the span carries no
 * content (capture off, contrib instrumentation): that is never an error.
 * Malformed content is reported in `problems`, never thrown.
 */
export interface SpanView {
  readonly span: SpanRecord;
  readonly operation: SpanOperation;
  /** From the span's own attributes (GenAI, OpenInference, OpenLLMetry); absent if none. */
  readonly conversationId?: string;
  readonly agentName?: string;
  readonly systemInstructions: readonly string[];
  readonly inputMessages: readonly Message[];
  readonly outputMessages: readonly Message[];
  /** execute_tool / TOOL spans: the one call with its result; chat spans: calls requested. */
  readonly toolCalls: readonly ToolCall[];
  readonly retrievedContext: readonly string[];
  readonly usage: TokenUsage;
  readonly requestModel?: string;
  readonly responseModel?: string;
  readonly responseId?: string;
  readonly provider?: string;
  readonly outcome: OutcomeSignals;
  /** App cohort attributes (`app.*`, e.g. vertical, language, flow, variant), as strings. */
  readonly cohort: Readonly<Record<string, string>>;
  /** Human-readable notes on content that could not be read (malformed JSON, wrong types, truncation). */
  readonly problems: readonly string[];
}
