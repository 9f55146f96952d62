import { z } from 'zod';
import { defineSection } from './section.ts';
import { duration, positiveInt } from './fields.ts';

/**
 * Per-conversation memory kept by the evaluation pipeline (grounding sources,
 * the trace → conversation map). Every bound is here because memory is
 * bounded everywhere (DESIGN.md, "Non-negotiables"); what is evicted or
 * dropped is counted in the pipeline's stats.
 */
export const ConversationsConfigSchema = z
  .strictObject({
    /** A conversation with no span for this long is forgotten. */
    idleTimeout: duration().prefault('5m'),
    /** Conversations kept at once; the least recently active one is evicted beyond it. */
    maxOpen: positiveInt().prefault(50_000),
    /** Grounding sources kept per conversation; the oldest are dropped beyond it. */
    maxSourcesPerConversation: positiveInt().prefault(100),
    /** Characters of grounding text kept per conversation; the oldest sources are dropped beyond it. */
    maxSourceChars: positiveInt().prefault(65_536),
    /** Characters of grounding text kept over all conversations; least recently active conversations are evicted beyond it. */
    maxTotalSourceChars: positiveInt().prefault(100_000_000),
  })
  .prefault({});

export type ConversationsConfig = z.output<typeof ConversationsConfigSchema>;

export const conversationsSection = defineSection(ConversationsConfigSchema, {
  TRACEJUDGE_CONVERSATIONS_IDLE_TIMEOUT: 'idleTimeout',
  TRACEJUDGE_CONVERSATIONS_MAX_OPEN: 'maxOpen',
  TRACEJUDGE_CONVERSATIONS_MAX_SOURCES: 'maxSourcesPerConversation',
  TRACEJUDGE_CONVERSATIONS_MAX_SOURCE_CHARS: 'maxSourceChars',
});
