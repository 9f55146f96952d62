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
    for (let step = 0; step < 20_000; step++) {
      now += Math.floor(random() * random() * 60);
      const roll = random();
      if (roll < 0.6) {
        const id = `c${Math.floor(random() * 60)}`;
        memory.touch(id, now);
        lastSeen.delete(id);
        lastSeen.set(id, now);
        while (lastSeen.size > 40) {
          const [oldest] = [...lastSeen.keys()].filter((key) => key !== id);
          lastSeen.delete(oldest);
          evicted++;
        }
      } else if (roll < 0.65) {
        const from = `trace:${Math.floor(random() * 5)}`;
        const into = `c${Math.floor(random() * 60)}`;
        const existed = lastSeen.has(from);
        memory.merge(from, into, now);
        if (existed) {
          lastSeen.delete(from);
          lastSeen.delete(into);
          lastSeen.set(into, now);
          while (lastSeen.size > 40) {
            const [oldest] = [...lastSeen.keys()].filter((key) => key !== into);
            lastSeen.delete(oldest);
            evicted++;
          }
        }
      } else if (roll < 0.7) {
        const id = `trace:${Math.floor(random() * 5)}`;
        memory.touch(id, now);
        lastSeen.delete(id);
        lastSeen.set(id, now);
        while (lastSeen.size > 40) {
          const [oldest] = [...lastSeen.keys()].filter((key) => key !== id);
          lastSeen.delete(oldest);
          evicted++;
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
