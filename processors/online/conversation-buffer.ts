import type { OutcomeSignals, SpanView } from '../../src/model/span-view.ts';
import type { BudgetReservation } from '../../src/sampling/index.ts';
import { RecencyMap } from '../../src/model/recency-map.ts';
import type { TurnRecord } from './turn-record.ts';

export interface ConversationBufferLimits {
  /** Conversations kept at once; the least recently active is evicted beyond it. */
  readonly maxOpen: number;
  /** Turns kept per conversation; the oldest are dropped beyond it (the judge sees the latest). */
  readonly maxTurns: number;
  /** Characters kept per conversation (transcript text); oldest turns dropped beyond it. */
  readonly maxConversationChars: number;
  /** Characters over all conversations; least recently active evicted beyond it. */
  readonly maxTotalChars: number;
  /** Traces with ended child spans whose turn span has not ended yet. */
  readonly maxPendingTraces: number;
  /** Child spans kept per pending trace. */
  readonly maxChildrenPerTrace: number;
  /** Any one kept string (message, tool argument or result) is cut to this. */
  readonly maxValueChars: number;
}

export const DEFAULT_BUFFER_LIMITS: ConversationBufferLimits = {
  maxOpen: 50_000,
  maxTurns: 50,
  maxConversationChars: 200_000,
  maxTotalChars: 50_000_000,
  maxPendingTraces: 100_000,
  maxChildrenPerTrace: 128,
  maxValueChars: 8_000,
};

/** The sampling facts of a conversation: the first sampled decision of it (what made it judged). */
export interface ConversationSampling {
  readonly stratum: string;
  readonly weight: number;
  readonly reason: string;
}

/** What the online stage knows of one conversation. Mutable state owned by the stage. */
export interface ConversationState {
  readonly key: string;
  readonly turns: TurnRecord[];
  systemInstructions: readonly string[];
  retrievedContext: string[];
  outcome: OutcomeSignals;
  cohort: Record<string, string>;
  chars: number;
  lastActive: number;
  sampling: ConversationSampling | undefined;
  /** Budget held by sampled turns, settled when judged (or released when shed). */
  reservations: BudgetReservation[];
  /** Spans that are parents of this conversation's turns: their end ends the conversation. */
  readonly containerSpanIds: Set<string>;
  /** Turns that existed when it was last judged; a later turn means it resumed. */
  judgedTurnCount: number;
  /** Id of the latest result, for `supersedes` when judged again. */
  lastEvaluationId: string | undefined;
  judging: boolean;
  /** Total turns seen, including dropped ones. */
  turnsSeen: number;
}

export interface BufferCounters {
  conversationsEvicted: number;
  conversationsExpired: number;
  turnsDropped: number;
  childrenDropped: number;
  pendingTracesEvicted: number;
  /** Traces whose children waited past the idle timeout for a turn span. */
  pendingTracesExpired: number;
}

const MAX_RETRIEVED = 20;
const MAX_COHORT_KEYS = 32;
const MAX_CONTAINERS = 8;

/**
 * The online stage's memory: per conversation key (DESIGN.md "Conversation
 * key"), the turns the judge will read; per trace, the child spans that ended
 * before their turn span. Bounded by count and characters everywhere; a RecencyMap
 * in activity order makes eviction (least recently active first) and idle expiry
 * O(evicted). `onEvict` sees each evicted conversation, to shed its judge work.
 */
export class ConversationBuffer {
  readonly limits: ConversationBufferLimits;
  readonly counters: BufferCounters = { conversationsEvicted: 0, conversationsExpired: 0, turnsDropped: 0, childrenDropped: 0, pendingTracesEvicted: 0, pendingTracesExpired: 0 };
  readonly #conversations = new RecencyMap<string, ConversationState>();
  /** Per trace, in the order their first child arrived: the children and when that was. */
  readonly #pending = new RecencyMap<string, { readonly since: number; readonly views: SpanView[] }>();
  readonly #containers = new Map<string, string>();
  readonly #onEvict: (state: ConversationState) => void;
  #totalChars = 0;

  constructor(limits: Partial<ConversationBufferLimits> = {}, onEvict: (state: ConversationState) => void = () => {}) {
    this.limits = { ...DEFAULT_BUFFER_LIMITS, ...limits };
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#conversations.size;
  }

  /** Traces whose child spans wait for their turn span. */
  get pendingTraces(): number {
    return this.#pending.size;
  }

  get(key: string): ConversationState | undefined {
    return this.#conversations.get(key);
  }

  /** A child span ended before its turn: kept under its trace until the turn ends. */
  addChild(view: SpanView, now: number): void {
    const traceId = view.span.traceId;
    let pending = this.#pending.get(traceId);
    if (!pending) {
      if (this.#pending.size >= this.limits.maxPendingTraces) {
        const oldest = this.#pending.oldestKey() as string;
        this.counters.childrenDropped += this.#pending.get(oldest)?.views.length ?? 0;
        this.#pending.delete(oldest);
        this.counters.pendingTracesEvicted++;
      }
      // Set once, when the trace's first child arrives: the map's order is then the arrival order.
      this.#pending.set(traceId, (pending = { since: now, views: [] }));
    }
    if (pending.views.length >= this.limits.maxChildrenPerTrace) this.counters.childrenDropped++;
    else pending.views.push(view);
  }

  /** The children that ended in this trace since the last turn of it ended. */
  takeChildren(traceId: string): SpanView[] {
    const pending = this.#pending.get(traceId);
    this.#pending.delete(traceId);
    return pending?.views ?? [];
  }

  /**
   * Forgets children that have waited longer than `maxAgeMs` for a turn span: children sent after
   * their turn (a later request, a span that ended after its parent) would otherwise wait until
   * evicted by count, holding their spans.
   */
  expirePending(now: number, maxAgeMs: number): void {
    for (const [traceId, pending] of this.#pending.oldestFirst()) {
      if (now - pending.since < maxAgeMs) return;
      this.#pending.delete(traceId);
      this.counters.childrenDropped += pending.views.length;
      this.counters.pendingTracesExpired++;
    }
  }

  /** The conversation a span that parents turns belongs to (its end ends that conversation). */
  conversationOfContainer(spanId: string): string | undefined {
    return this.#containers.get(spanId);
  }

  /** Adds a finished turn (most recent activity), evicting beyond the bounds. */
  addTurn(key: string, record: TurnRecord, view: SpanView, parentSpanId: string | undefined, now: number): ConversationState {
    const state = this.#touch(key, now);
    state.turns.push(record);
    state.turnsSeen++;
    state.chars += record.chars;
    this.#totalChars += record.chars;
    if (view.systemInstructions.length > 0) state.systemInstructions = view.systemInstructions.map((text) => text.slice(0, this.limits.maxValueChars));
    for (const text of view.retrievedContext) if (state.retrievedContext.length < MAX_RETRIEVED) state.retrievedContext.push(text.slice(0, this.limits.maxValueChars));
    state.outcome = { ...state.outcome, ...definedOnly(view.outcome) };
    for (const name in view.cohort) if (name in state.cohort || Object.keys(state.cohort).length < MAX_COHORT_KEYS) state.cohort[name] = view.cohort[name];
    if (parentSpanId !== undefined && state.containerSpanIds.size < MAX_CONTAINERS && !state.containerSpanIds.has(parentSpanId)) {
      state.containerSpanIds.add(parentSpanId);
      this.#containers.set(parentSpanId, key);
    }
    while (state.turns.length > 1 && (state.turns.length > this.limits.maxTurns || state.chars > this.limits.maxConversationChars)) {
      this.#dropOldestTurn(state);
    }
    this.#evictBeyondBounds(state);
    return state;
  }

  /** Conversations idle past `idleMs`, oldest first; the caller judges or forgets each. */
  *idle(now: number, idleMs: number): Generator<ConversationState> {
    for (const [, state] of this.#conversations.oldestFirst()) {
      if (now - state.lastActive < idleMs) return;
      yield state;
    }
  }

  /** Marks the conversation active at `now` (moves it to the back of the idle order). */
  refresh(state: ConversationState, now: number): void {
    if (this.#conversations.get(state.key) !== state) return;
    state.lastActive = now;
    this.#conversations.set(state.key, state);
  }

  forget(state: ConversationState, expired: boolean): void {
    if (this.#conversations.get(state.key) !== state) return;
    this.#conversations.delete(state.key);
    this.#totalChars -= state.chars;
    for (const id of state.containerSpanIds) this.#containers.delete(id);
    if (expired) this.counters.conversationsExpired++;
  }

  all(): Iterable<ConversationState> {
    return this.#conversations.values();
  }

  #touch(key: string, now: number): ConversationState {
    let state = this.#conversations.get(key);
    if (!state) {
      state = {
        key,
        turns: [],
        systemInstructions: [],
        retrievedContext: [],
        outcome: {},
        cohort: {},
        chars: 0,
        lastActive: now,
        sampling: undefined,
        reservations: [],
        containerSpanIds: new Set(),
        judgedTurnCount: 0,
        lastEvaluationId: undefined,
        judging: false,
        turnsSeen: 0,
      };
    }
    state.lastActive = Math.max(state.lastActive, now);
    this.#conversations.set(key, state);
    return state;
  }

  #dropOldestTurn(state: ConversationState): void {
    const dropped = state.turns.shift();
    if (!dropped) return;
    state.chars -= dropped.chars;
    this.#totalChars -= dropped.chars;
    state.judgedTurnCount = Math.max(0, state.judgedTurnCount - 1);
    this.counters.turnsDropped++;
  }

  #withinBounds(): boolean {
    return this.#conversations.size <= this.limits.maxOpen && this.#totalChars <= this.limits.maxTotalChars;
  }

  #evictBeyondBounds(keep: ConversationState): void {
    if (this.#withinBounds()) return;
    for (const [, oldest] of this.#conversations.oldestFirst()) {
      if (this.#withinBounds()) return;
      if (oldest === keep) return;
      this.forget(oldest, false);
      this.counters.conversationsEvicted++;
      this.#onEvict(oldest);
    }
  }
}

function definedOnly(outcome: OutcomeSignals): OutcomeSignals {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(outcome)) if (value !== undefined) out[name] = value;
  return out as OutcomeSignals;
}
