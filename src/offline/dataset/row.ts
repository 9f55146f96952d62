import { z } from 'zod';

/**
 * One dataset row (docs/offline.md): the input a user gives, what a good run
 * should produce, and where the row came from. Strict: an unknown key is a typo.
 */

const expectedToolCall = z.strictObject({
  name: z.string().min(1),
  /** Every key given must match (deep equality); keys not given are not checked. */
  arguments: z.record(z.string(), z.unknown()).optional(),
});

export const OUTCOMES = ['booking_made', 'ticket_created', 'escalated', 'none'] as const;

const reference = z.strictObject({
  /** The expected answer, for exact / normalized match and semantic equivalence. */
  answer: z.string().optional(),
  outcome: z.enum(OUTCOMES).optional(),
  expectedToolCalls: z.array(expectedToolCall).optional(),
  mustContain: z.array(z.string().min(1)).optional(),
  mustNotContain: z.array(z.string().min(1)).optional(),
});

const provenance = z.strictObject({
  source: z.enum(['hand-written', 'harvested', 'generated']),
  /** The trace a harvested row came from. */
  traceId: z.string().optional(),
  /** The evaluated span of that trace (a harvested row). */
  spanId: z.string().optional(),
  /** `gen_ai.conversation.id` of the live conversation (a harvested row). */
  conversationId: z.string().optional(),
  /** The review item whose confirmation added the row (`tracejudge review`). */
  reviewItemId: z.number().int().nonnegative().optional(),
  author: z.string().optional(),
  addedAt: z.string().optional(),
});

export const DatasetRowSchema = z.strictObject({
  id: z.string().min(1).max(200),
  /** One user message, or a multi-turn script of user messages. */
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  reference: reference.optional(),
  tags: z.record(z.string(), z.string()).default({}),
  metadata: z.record(z.string(), z.unknown()).optional(),
  provenance: provenance.default({ source: 'hand-written' }),
});

export type DatasetRow = z.output<typeof DatasetRowSchema>;
export type DatasetRowInput = z.input<typeof DatasetRowSchema>;
export type RowReference = NonNullable<DatasetRow['reference']>;
export type ExpectedOutcome = (typeof OUTCOMES)[number];

/** The user messages of a row, in order. */
export function userMessages(row: DatasetRow): readonly string[] {
  return typeof row.input === 'string' ? [row.input] : row.input;
}
