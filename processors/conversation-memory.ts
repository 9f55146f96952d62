import type { Conversation, GroundingSource } from '../src/model/index.ts';
import { RecencyMap } from '../src/model/recency-map.ts';
import { sameReply } from './reply-fingerprint.ts';
import type { ReplyFingerprint } from './reply-fingerprint.ts';
import { TextSet } from './text-set.ts';

export interface ConversationLimits {
  /** Conversations kept at once; the least recently active is evicted beyond it. */
  readonly maxOpen: number;
  /** A conversation untouched for this long is forgotten. */
  readonly idleTimeoutMs: number;
  /** Sources kept per conversation; the oldest are dropped beyond it. */
  readonly maxSourcesPerConversation: number;
  /** Characters of source text kept per conversation; the oldest sources are dropped beyond it. */
  readonly maxSourceChars: number;
  /** Characters of source text over all conversations; least recently active conversations are evicted beyond it. */
  readonly maxTotalSourceChars: number;
  /** Trace → conversation entries kept (oldest first out). */
  readonly maxTraces: number;
}

export const DEFAULT_CONVERSATION_LIMITS: ConversationLimits = {
  maxOpen: 50_000,
  idleTimeoutMs: 5 * 60_000,
  maxSourcesPerConversation: 100,
  maxSourceChars: 65_536,
  maxTotalSourceChars: 100_000_000,
  maxTraces: 100_000,
};

/** Replies remembered per conversation for de-duplication (a turn has one or two spans carrying its reply). */
const MAX_CHECKED_REPLIES = 8;

export interface MemoryCounters {
  conversationsEvicted: number;
  conversationsExpired: number;
  sourcesDropped: number;
  sourcesTruncated: number;
}

/** What one conversation has shown so far: its grounding, oldest first. It is the Conversation checks read. */
export class ConversationState implements Conversation {
  readonly id: string;
  readonly sources: GroundingSource[] = [];
  /** Source texts already held, so a history repeated in every chat span is kept once. */
  readonly #texts = new TextSet();
  readonly #checkedReplies: ReplyFingerprint[] = [];
  sourceChars = 0;
  lastSeenMs: number;

  constructor(id: string, nowMs: number) {
    this.id = id;
    this.lastSeenMs = nowMs;
  }

  hasText(text: string): boolean {
    return this.#texts.has(text);
  }

  push(source: GroundingSource): void {
    this.sources.push(source);
    this.#texts.add(source.text);
    this.sourceChars += source.text.length;
  }

  /** Drops the oldest source; returns its size. */
  dropOldest(): number {
    const dropped = this.sources.shift();
    if (!dropped) return 0;
    this.#texts.delete(dropped.text);
    this.sourceChars -= dropped.text.length;
    return dropped.text.length;
  }

  /** The user turns seen so far, oldest first (as grounding keeps them: bounded, each text once). */
  userMessages(): string[] {
    const texts: string[] = [];
    for (const source of this.sources) if (source.kind === 'user_message') texts.push(source.text);
    return texts;
  }

  /** False when this reply fingerprint was already checked. */
  markReplyChecked(fingerprint: ReplyFingerprint): boolean {
    for (const checked of this.#checkedReplies) if (sameReply(checked, fingerprint)) return false;
    this.#checkedReplies.push(fingerprint);
    if (this.#checkedReplies.length > MAX_CHECKED_REPLIES) this.#checkedReplies.shift();
    return true;
  }

  adoptCheckedReplies(other: ConversationState): void {
    for (const fingerprint of other.#checkedReplies) this.markReplyChecked(fingerprint);
  }
}

/** Where the newest sources that fit both per-conversation caps begin (sources are oldest first). */
function firstWithinCaps(sources: readonly GroundingSource[], maxCount: number, maxChars: number): number {
  let count = 0;
  let chars = 0;
  for (let i = sources.length - 1; i >= 0; i--) {
    chars += Math.min(sources[i].text.length, maxChars);
    if (++count > maxCount || chars > maxChars) return i + 1;
  }
  return 0;
}

/**
 * Bounded per-conversation memory of grounding sources (DESIGN.md: memory is
 * bounded everywhere, and every shed item is counted). A RecencyMap kept in
 * least-recently-active order serves both bounds: LRU eviction takes the
 * oldest entry, and idle expiry walks from the oldest until a live one.
 * Time is passed in; nothing here reads a clock.
 */
export class ConversationMemory {
  readonly limits: ConversationLimits;
  readonly counters: MemoryCounters = { conversationsEvicted: 0, conversationsExpired: 0, sourcesDropped: 0, sourcesTruncated: 0 };
  readonly #conversations = new RecencyMap<string, ConversationState>();
  readonly #traceConversations = new RecencyMap<string, string>();
  #totalChars = 0;
  /**
   * No conversation was last seen before this (a lower bound: touching only moves times later).
   * `expire` runs on every span, so it first asks whether anything can be due at all before it
   * looks for the oldest entry.
   */
  #seenSinceMs = Number.POSITIVE_INFINITY;
  /**
   * The conversation touched last, i.e. the newest entry while it is set. The spans of one turn
   * touch the same conversation one after another: they need no lookup at all.
   */
  #newest: ConversationState | undefined;
  /** The trace looked up or bound last, and its conversation: a trace's spans arrive together. */
  #lastTraceId: string | undefined;
  #lastTraceConversation: string | undefined;

  constructor(limits: Partial<ConversationLimits> = {}) {
    this.limits = { ...DEFAULT_CONVERSATION_LIMITS, ...limits };
  }

  get size(): number {
    return this.#conversations.size;
  }

  get totalSourceChars(): number {
    return this.#totalChars;
  }

  conversationOfTrace(traceId: string): string | undefined {
    if (traceId === this.#lastTraceId) return this.#lastTraceConversation;
    const conversationId = this.#traceConversations.get(traceId);
    this.#lastTraceId = traceId;
    this.#lastTraceConversation = conversationId;
    return conversationId;
  }

  /** Records that a trace belongs to a conversation (child spans without the attribute follow their trace). */
  bindTrace(traceId: string, conversationId: string): void {
    const map = this.#traceConversations;
    map.set(traceId, conversationId);
    this.#lastTraceId = traceId;
    this.#lastTraceConversation = conversationId;
    if (map.size > this.limits.maxTraces) {
      const oldest = map.oldestKey() as string;
      map.delete(oldest);
      if (oldest === traceId) this.#lastTraceConversation = undefined;
    }
  }

  /** The conversation's state, created if new, marked as active now. */
  touch(id: string, nowMs: number): ConversationState {
    const newest = this.#newest;
    if (newest !== undefined && newest.id === id) {
      newest.lastSeenMs = nowMs;
      if (nowMs < this.#seenSinceMs) this.#seenSinceMs = nowMs;
      return newest;
    }
    const map = this.#conversations;
    const state = map.get(id) ?? new ConversationState(id, nowMs);
    state.lastSeenMs = nowMs;
    if (nowMs < this.#seenSinceMs) this.#seenSinceMs = nowMs;
    map.set(id, state);
    this.#newest = state;
    while (map.size > this.limits.maxOpen && this.#evictOldest(id));
    return state;
  }

  /**
   * Appends sources the conversation does not hold yet, oldest dropped past the
   * per-conversation caps, least recently active conversations evicted past the
   * global cap.
   */
  addSources(state: ConversationState, sources: readonly GroundingSource[]): void {
    const { maxSourcesPerConversation, maxSourceChars } = this.limits;
    // A chat span carries the whole history: past the caps, its oldest sources would be added
    // and dropped again within this call, on every chat span of the conversation (each time
    // re-read by the checks' grounding index). They are counted as dropped and left out.
    const first = firstWithinCaps(sources, maxSourcesPerConversation, maxSourceChars);
    for (let i = 0; i < first; i++) {
      const text = sources[i].text;
      if (!state.hasText(text.length > maxSourceChars ? text.slice(0, maxSourceChars) : text)) this.counters.sourcesDropped++;
    }
    for (let i = first; i < sources.length; i++) {
      const original = sources[i];
      const truncated = original.text.length > maxSourceChars;
      // Deduplicate on what would be kept, so a long source repeated in every chat span is kept once.
      const kept = truncated ? original.text.slice(0, maxSourceChars) : original.text;
      if (state.hasText(kept)) continue;
      let source = original;
      if (truncated) {
        // A copy, not the slice: V8 slices keep the whole parent string alive.
        source = { ...original, text: Buffer.from(kept, 'utf8').toString('utf8') };
        this.counters.sourcesTruncated++;
      }
      state.push(source);
      this.#totalChars += source.text.length;
      while (state.sources.length > maxSourcesPerConversation || state.sourceChars > maxSourceChars) {
        this.#totalChars -= state.dropOldest();
        this.counters.sourcesDropped++;
      }
    }
    while (this.#totalChars > this.limits.maxTotalSourceChars && this.#evictOldest(state.id));
  }

  /** Moves what was kept under `fromId` (e.g. `trace:<id>`) into conversation `intoId`. */
  merge(fromId: string, intoId: string, nowMs: number): void {
    const from = this.#conversations.get(fromId);
    if (!from || fromId === intoId) return;
    this.#forget(fromId, from);
    const into = this.touch(intoId, nowMs);
    into.adoptCheckedReplies(from);
    this.addSources(into, from.sources);
  }

  /** Forgets conversations idle for longer than the timeout. */
  expire(nowMs: number): void {
    const deadline = nowMs - this.limits.idleTimeoutMs;
    if (this.#seenSinceMs > deadline) return;
    for (const [id, state] of this.#conversations.oldestFirst()) {
      if (state.lastSeenMs > deadline) {
        this.#seenSinceMs = state.lastSeenMs;
        return;
      }
      this.#forget(id, state);
      this.counters.conversationsExpired++;
    }
    this.#seenSinceMs = Number.POSITIVE_INFINITY;
  }

  /** Evicts the least recently active conversation other than `keepId`; false when there is none. */
  #evictOldest(keepId: string): boolean {
    for (const [id, state] of this.#conversations.oldestFirst()) {
      if (id === keepId) continue;
      this.#forget(id, state);
      this.counters.conversationsEvicted++;
      return true;
    }
    return false;
  }

  #forget(id: string, state: ConversationState): void {
    if (state === this.#newest) this.#newest = undefined;
    this.#conversations.delete(id);
    this.#totalChars -= state.sourceChars;
  }
}
