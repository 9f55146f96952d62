import { describe, expect, it } from 'vitest';
import { ConversationMemory } from '../../processors/conversation-memory.ts';
import { seededRandom } from '../../src/offline/compare/stats.ts';

describe('ConversationMemory expiry', () => {
  it('forgets exactly the conversations idle past the timeout, however touches, evictions and merges interleave', () => {
    const random = seededRandom(0xc0ffee);
    const idleTimeoutMs = 1_000;
    const memory = new ConversationMemory({ idleTimeoutMs, maxOpen: 40 });
    // The reference: last-seen time per open conversation, expired by a full scan.
    const lastSeen = new Map<string, number>();
    let expired = 0;
    let evicted = 0;
    let now = 0;
    // The reference's touch: newest last, the least recently touched other than `id` evicted past 40.
    const touchReference = (id: string) => {
      lastSeen.delete(id);
      lastSeen.set(id, now);
      while (lastSeen.size > 40) {
        const [oldest] = [...lastSeen.keys()].filter((key) => key !== id);
        lastSeen.delete(oldest);
        evicted++;
      }
    };
    for (let step = 0; step < 20_000; step++) {
      now += Math.floor(random() * random() * 60);
      const roll = random();
      if (roll < 0.6 || (roll >= 0.65 && roll < 0.7)) {
        // Mostly conversations, sometimes a trace's own key (what merges move from).
        const id = roll < 0.6 ? `c${Math.floor(random() * 60)}` : `trace:${Math.floor(random() * 5)}`;
        memory.touch(id, now);
        touchReference(id);
      } else if (roll < 0.65) {
        const from = `trace:${Math.floor(random() * 5)}`;
        const into = `c${Math.floor(random() * 60)}`;
        const existed = lastSeen.has(from);
        memory.merge(from, into, now);
        if (existed) {
          lastSeen.delete(from);
          touchReference(into);
        }
      } else {
        memory.expire(now);
        for (const [id, seen] of lastSeen) {
          if (seen <= now - idleTimeoutMs) {
            lastSeen.delete(id);
            expired++;
          }
        }
      }
      expect(memory.size).toBe(lastSeen.size);
      expect(memory.counters.conversationsExpired).toBe(expired);
    }
    expect(memory.counters.conversationsEvicted).toBe(evicted);
    // The walk did exercise both paths: conversations expired, and were evicted.
    expect(expired).toBeGreaterThan(100);
    expect(evicted).toBeGreaterThan(100);
  });

  it('after everything expired, a new conversation still expires on time', () => {
    const memory = new ConversationMemory({ idleTimeoutMs: 100 });
    memory.touch('a', 0);
    memory.expire(500);
    expect(memory.size).toBe(0);
    memory.touch('b', 600);
    memory.expire(650);
    expect(memory.size).toBe(1);
    memory.expire(700);
    expect(memory.size).toBe(0);
    expect(memory.counters.conversationsExpired).toBe(2);
  });
});

describe('ConversationMemory recency and traces', () => {
  it('evicts the least recently touched conversation, however often the newest one is touched again', () => {
    const random = seededRandom(0x1e57);
    const memory = new ConversationMemory({ maxOpen: 8 });
    // The reference: ids in least-recently-touched order, and the state each open one was given.
    const order: string[] = [];
    const states = new Map<string, object>();
    for (let step = 0; step < 5_000; step++) {
      // Runs of the same id, as the spans of one turn touch one conversation in a row.
      const id = random() < 0.6 && order.length > 0 ? order[order.length - 1] : `c${Math.floor(random() * 14)}`;
      const state = memory.touch(id, step);
      const at = order.indexOf(id);
      if (at === -1) {
        expect(states.has(id)).toBe(false);
        states.set(id, state);
      } else {
        expect(state).toBe(states.get(id));
        order.splice(at, 1);
      }
      order.push(id);
      if (order.length > 8) states.delete(order.shift()!);
      expect(memory.size).toBe(order.length);
    }
    expect(memory.counters.conversationsEvicted).toBeGreaterThan(500);
  });

  it('a newest conversation that expired or was merged away starts afresh when touched again', () => {
    const memory = new ConversationMemory({ idleTimeoutMs: 100 });
    const first = memory.touch('a', 0);
    first.markReplyChecked({ traceId: 't', length: 1, hash: 1 });
    memory.expire(500);
    expect(memory.size).toBe(0);
    const again = memory.touch('a', 600);
    expect(again).not.toBe(first);
    expect(again.markReplyChecked({ traceId: 't', length: 1, hash: 1 })).toBe(true);
    expect(memory.size).toBe(1);

    const byTrace = memory.touch('trace:t', 610);
    memory.merge('trace:t', 'a', 620);
    expect(memory.size).toBe(1);
    expect(memory.touch('trace:t', 630)).not.toBe(byTrace);
    expect(memory.size).toBe(2);
  });

  it('knows each trace by the conversation it was bound to last, and forgets the traces past maxTraces', () => {
    const memory = new ConversationMemory({ maxTraces: 2 });
    expect(memory.conversationOfTrace('t1')).toBeUndefined();
    memory.bindTrace('t1', 'c1');
    expect(memory.conversationOfTrace('t1')).toBe('c1');
    memory.bindTrace('t1', 'c2');
    expect(memory.conversationOfTrace('t1')).toBe('c2');
    memory.bindTrace('t2', 'c3');
    expect(memory.conversationOfTrace('t2')).toBe('c3');
    expect(memory.conversationOfTrace('t1')).toBe('c2');
    // t1 is the oldest binding now (re-binding moved it back, t2 came after).
    memory.bindTrace('t3', 'c4');
    expect(memory.conversationOfTrace('t1')).toBeUndefined();
    expect(memory.conversationOfTrace('t2')).toBe('c3');
    expect(memory.conversationOfTrace('t3')).toBe('c4');

    const none = new ConversationMemory({ maxTraces: 0 });
    none.bindTrace('t1', 'c1');
    expect(none.conversationOfTrace('t1')).toBeUndefined();
  });
});

describe('ConversationMemory sources past the per-conversation caps', () => {
  const source = (n: number, chars = 20) => ({ kind: 'tool_result' as const, text: `result ${n} `.padEnd(chars, '.'), traceId: 't', spanId: 's' });

  it('a history longer than the count cap keeps its newest sources, and the next span with one more adds just that one', () => {
    const memory = new ConversationMemory({ maxSourcesPerConversation: 10 });
    const state = memory.touch('c', 0);
    const history = Array.from({ length: 25 }, (_, i) => source(i));
    memory.addSources(state, history);
    expect(state.sources.map((s) => s.text)).toEqual(history.slice(15).map((s) => s.text));
    expect(memory.counters.sourcesDropped).toBe(15);
    const before = [...state.sources];
    // The next chat span carries the same history and one new source: no churn through the old ones.
    memory.addSources(state, [...history, source(25)]);
    expect(state.sources.slice(0, 9)).toEqual(before.slice(1));
    expect(state.sources.map((s) => s.text)).toEqual([...history.slice(16), source(25)].map((s) => s.text));
    // Dropped: the 15 the span carried past the cap that were not held, and the one the new source pushed out.
    expect(memory.counters.sourcesDropped).toBe(15 + 15 + 1);
  });

  it('the character cap bounds the window the same way', () => {
    const memory = new ConversationMemory({ maxSourceChars: 100 });
    const state = memory.touch('c', 0);
    memory.addSources(state, Array.from({ length: 12 }, (_, i) => source(i, 30)));
    expect(state.sources.map((s) => s.text)).toEqual([9, 10, 11].map((n) => source(n, 30).text));
    expect(state.sourceChars).toBe(90);
  });
});
