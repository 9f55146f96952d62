import { describe, expect, it } from 'vitest';
import { ConversationState } from '../../processors/conversation-memory.ts';
import { replyFingerprint, sameReply } from '../../processors/reply-fingerprint.ts';

const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const TRACE_B = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('reply fingerprints', () => {
  it('the same reply in the same trace is the same; another trace or another text is not', () => {
    const reply = 'Express shipping is $14.50 and arrives Friday 27 March.';
    const fingerprint = replyFingerprint(TRACE_A, reply);
    expect(sameReply(fingerprint, replyFingerprint(TRACE_A, `${reply.slice(0, 10)}${reply.slice(10)}`))).toBe(true);
    expect(sameReply(fingerprint, replyFingerprint(TRACE_B, reply))).toBe(false);
    expect(sameReply(fingerprint, replyFingerprint(TRACE_A, reply.replace('$14.50', '$15.50')))).toBe(false);
    expect(sameReply(fingerprint, replyFingerprint(TRACE_A, `${reply} `))).toBe(false);
    expect(fingerprint).toMatchObject({ traceId: TRACE_A, length: reply.length });
  });

  it('a conversation checks each reply of a trace once, remembers the last 8, and passes them on when merged', () => {
    const state = new ConversationState('conv-1', 0);
    expect(state.markReplyChecked(replyFingerprint(TRACE_A, 'first'))).toBe(true);
    expect(state.markReplyChecked(replyFingerprint(TRACE_A, 'first'))).toBe(false);
    expect(state.markReplyChecked(replyFingerprint(TRACE_B, 'first'))).toBe(true);
    for (let i = 0; i < 7; i++) expect(state.markReplyChecked(replyFingerprint(TRACE_B, `reply ${i}`))).toBe(true);
    // Nine remembered in all: the oldest (trace A's) has been let go.
    expect(state.markReplyChecked(replyFingerprint(TRACE_B, 'first'))).toBe(false);
    const merged = new ConversationState('conv-2', 0);
    merged.adoptCheckedReplies(state);
    expect(merged.markReplyChecked(replyFingerprint(TRACE_B, 'reply 6'))).toBe(false);
    expect(merged.markReplyChecked(replyFingerprint(TRACE_A, 'first'))).toBe(true);
  });
});
