import { createContextKey, propagation } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { GenAI } from '../src/model/attributes.ts';

/**
 * What the helpers put in the OTel context while a turn (or tool) runs, so
 * that spans started underneath — the OpenAI client's chat spans, nested
 * tools — carry the same `gen_ai.conversation.id` (DESIGN.md, "Conversation key").
 */
export interface ActiveConversation {
  readonly conversationId: string | undefined;
  readonly captureContent: boolean;
  /** The conversation object, to tell two conversations in one process apart. */
  readonly owner: object;
  /** The turn whose callback is running. */
  readonly turn?: object;
}

const ACTIVE_CONVERSATION = createContextKey('tracejudge.active_conversation');

export function withActiveConversation(ctx: Context, active: ActiveConversation): Context {
  return ctx.setValue(ACTIVE_CONVERSATION, active);
}

export function activeConversationOf(ctx: Context): ActiveConversation | undefined {
  return ctx.getValue(ACTIVE_CONVERSATION) as ActiveConversation | undefined;
}

/**
 * The conversation id for a span started in `ctx`: ours first, then a
 * `gen_ai.conversation.id` baggage entry (set by an upstream service that
 * propagates W3C baggage), else none — instrumentations must not invent one.
 */
export function conversationIdOf(ctx: Context): string | undefined {
  const active = activeConversationOf(ctx);
  if (active?.conversationId) return active.conversationId;
  const entry = propagation.getBaggage(ctx)?.getEntry(GenAI.CONVERSATION_ID);
  return entry?.value ? entry.value : undefined;
}
