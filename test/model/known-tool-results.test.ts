import { describe, expect, it } from 'vitest';
import { parseJson } from '../../src/model/decode.ts';
import type { ReadContext } from '../../src/model/decode.ts';
import { groundingSourcesOf } from '../../src/model/grounding-sources.ts';
import { decodeToolResult, parseMessagesJson, sourceTextOf } from '../../src/model/known-tool-results.ts';
import { normalizeSpan } from '../../src/model/normalize.ts';
import { seededRandom } from '../../src/offline/compare/stats.ts';
import { spanRecord } from './builders.ts';

const context = (): ReadContext => ({ problems: [], maxChars: 256 * 1024, maxItems: 1000 });

const ORDER = { order: 'NW-48213', status: 'delivered', items: [{ sku: 'RJ-400-M', unitPrice: '$89.90', quantity: 1 }], refund: { amount: '$89.90' } };
const QUOTE = { carrier: 'ParcelFast', options: [{ service: 'express', price: '$14.50', eta: 'Friday 27 March' }], result: { ok: true, note: 'nested result key' } };

/** Decodes tool results as the tool spans would, so their text is kept; returns the decoded values. */
function keep(...results: unknown[]): unknown[] {
  return results.map((result) => decodeToolResult('gen_ai.tool.call.result', JSON.stringify(result), context()));
}

const answer = (id: string, response: unknown) => ({ role: 'tool', parts: [{ type: 'tool_call_response', id, response }] });

describe('parseMessagesJson reuses the tool results a turn already decoded', () => {
  it('reads the same messages as JSON.parse and shares the tool spans’ values', () => {
    const [order, quote] = keep(ORDER, QUOTE);
    const text = JSON.stringify([
      { role: 'user', parts: [{ type: 'text', content: 'Was I charged twice?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'lookup_order', arguments: { order: 'NW-48213' } }] },
      answer('c1', ORDER),
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c2', result: QUOTE }] },
    ]);
    const ctx = context();
    const parsed = parseMessagesJson('gen_ai.input.messages', text, ctx) as { parts: { response?: unknown; result?: unknown }[] }[];
    expect(parsed).toStrictEqual(JSON.parse(text));
    expect(ctx.problems).toEqual([]);
    // Reused, not rebuilt: the very objects the tool spans decoded.
    expect(parsed[2].parts[0].response).toBe(order);
    expect(parsed[3].parts[0].result).toBe(quote);
  });

  it('grounds on the tool span’s own text, so the chat span adds no second copy', () => {
    const toolSpan = spanRecord({
      name: 'execute_tool lookup_order',
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order', 'gen_ai.tool.call.result': JSON.stringify(ORDER) },
    });
    const chatSpan = spanRecord({
      name: 'chat gpt-4.1-mini',
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.input.messages': JSON.stringify([answer('c1', ORDER)]) },
    });
    const fromTool = groundingSourcesOf(normalizeSpan(toolSpan));
    const fromChat = groundingSourcesOf(normalizeSpan(chatSpan));
    expect(fromTool.map((source) => source.text)).toEqual([JSON.stringify(ORDER)]);
    expect(fromChat.map((source) => source.text)).toEqual([JSON.stringify(ORDER)]);
    expect(fromChat[0].text).toBe(fromTool[0].text);
  });

  it('does not reuse what only looks like a kept result', () => {
    const [order] = keep(ORDER);
    const orderJson = JSON.stringify(ORDER);
    const cases = [
      // Whitespace: not the kept text, parsed in full.
      JSON.stringify([answer('c1', ORDER)], null, 2),
      // A longer object that starts with the kept text's members.
      JSON.stringify([answer('c1', { ...ORDER, extra: 1 })]),
      // The kept text as a tool call's argument under a `result` key: not a tool answer.
      JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', name: 'f', arguments: { result: ORDER } }] }]),
      // The kept text under a duplicated key that JSON.parse overrides with the later value.
      `[{"role":"tool","parts":[{"type":"tool_call_response","response":${orderJson},"response":{"other":true}}]}]`,
      // A part that says it is not an answer.
      `[{"role":"tool","parts":[{"type":"text","content":"x","response":${orderJson}}]}]`,
      // Strings that look like the placeholder, alone and next to a real reuse.
      JSON.stringify([answer('c1', '\u0000tracejudge-known-result:0')]),
      JSON.stringify([answer('c1', ORDER), answer('c2', '\u0000tracejudge-known-result:0')]),
      JSON.stringify([answer('c1', '\u0000tracejudge-known-result:0'), answer('c2', ORDER)]),
      // The kept text quoted inside a string.
      JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `"response":${orderJson}` }] }]),
    ];
    for (const text of cases) {
      const ctx = context();
      const parsed = parseMessagesJson('gen_ai.input.messages', text, ctx);
      expect(parsed, text).toStrictEqual(JSON.parse(text));
      expect(ctx.problems, text).toEqual([]);
    }
    // Next to look-alikes elsewhere, a real answer is still reused (so the look-alikes above sat beside live swaps).
    const text = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `"response":${orderJson} \u0000tracejudge-known-result:0` }] }, answer('c2', ORDER)]);
    const reused = parseMessagesJson('x', text, context()) as { parts: { response: unknown }[] }[];
    expect(reused).toStrictEqual(JSON.parse(text));
    expect(reused[1].parts[0].response).toBe(order);
  });

  it('reports malformed and oversized input exactly as parseJson does', () => {
    keep(ORDER);
    const truncated = JSON.stringify([answer('c1', ORDER)]).slice(0, -3);
    const reasons = (text: string, limit: number): [unknown, string[], unknown, string[]] => {
      const ours = { ...context(), maxChars: limit };
      const plain = { ...context(), maxChars: limit };
      return [parseMessagesJson('gen_ai.input.messages', text, ours), ours.problems, parseJson('gen_ai.input.messages', text, plain), plain.problems];
    };
    const [ours, ourProblems, plain, plainProblems] = reasons(truncated, 256 * 1024);
    expect(ours).toBe(plain);
    expect(ourProblems).toEqual(plainProblems);
    expect(ourProblems).toHaveLength(1);
    const whole = JSON.stringify([answer('c1', ORDER)]);
    const [big, bigProblems, bigPlain, bigPlainProblems] = reasons(whole, 100);
    expect(big).toBe(bigPlain);
    expect(bigProblems).toEqual(bigPlainProblems);
    expect(bigProblems[0]).toMatch(/exceeds the 100-character parse limit/);
  });

  it('equals JSON.parse on 3,000 generated message lists mixing kept results, look-alikes and plain content', () => {
    const random = seededRandom(0x7e57);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const results = Array.from({ length: 12 }, (_, i) => ({
      id: `r${i}`,
      amount: `$${(10 + i * 3.25).toFixed(2)}`,
      lines: Array.from({ length: 1 + (i % 4) }, (_, j) => ({ sku: `S-${i}-${j}`, qty: j + 1, note: j % 2 ? `line ${j} of ${i}, long enough to matter` : 'plain' })),
      // Escaped text is never kept (its re-serialized form differs): these are parsed every time.
      ...(i % 5 === 4 && { escaped: 'has "quotes" and \\ slashes' }),
      ...(i % 3 === 0 && { result: { nested: i } }),
    }));
    let reusedSomewhere = 0;
    for (let n = 0; n < 3000; n++) {
      // The tool spans of this turn: a few results kept, in any order, some never sent back.
      const kept = new Map<string, unknown>();
      for (let k = 0; k < 1 + Math.floor(random() * 5); k++) {
        const result = pick(results);
        kept.set(JSON.stringify(result), keep(result)[0]);
      }
      const messages: unknown[] = [];
      for (let m = 0; m < 1 + Math.floor(random() * 6); m++) {
        const result = pick(results);
        const shape = Math.floor(random() * 6);
        if (shape === 0) messages.push({ role: 'user', parts: [{ type: 'text', content: pick(['hi', '"response":{"id":"r1"}', '\u0000tracejudge-known-result:1', JSON.stringify(result)]) }] });
        else if (shape === 1) messages.push({ role: 'assistant', parts: [{ type: 'tool_call', id: `c${m}`, name: 'f', arguments: { response: result } }] });
        else if (shape === 2) messages.push({ role: 'tool', parts: [{ type: 'tool_call_response', id: `c${m}`, result }] });
        else if (shape === 3) messages.push({ role: 'tool', content: [{ type: 'tool_call_response', response: { ...result, id: 'changed' } }] });
        else messages.push(answer(`c${m}`, result));
      }
      const text = JSON.stringify(messages);
      const ctx = context();
      const parsed = parseMessagesJson('gen_ai.input.messages', text, ctx);
      expect(parsed).toStrictEqual(JSON.parse(text));
      expect(ctx.problems).toEqual([]);
      for (const message of parsed as { parts?: { type: string; response?: unknown }[] }[]) {
        for (const part of message.parts ?? []) {
          if (part.type === 'tool_call_response' && [...kept.values()].includes(part.response)) reusedSomewhere++;
        }
      }
    }
    // The generator must actually exercise reuse, or the equality above proves little (a kept result
    // sent back as a tool call argument makes the whole list parse in full, by design).
    expect(reusedSomewhere).toBeGreaterThan(200);
  });

  it('sourceTextOf gives the kept JSON for a kept value and compact JSON for anything else', () => {
    const spaced = '{ "a": 1,   "b": "long enough to be worth keeping, really quite long text" }';
    const value = decodeToolResult('r', spaced, context());
    expect(sourceTextOf(value)).toBe(spaced);
    expect(sourceTextOf({ a: 1 })).toBe('{"a":1}');
  });
});

describe('JSON strings holding JSON (OpenLLMetry records tool output so)', () => {
  it('are unwrapped and decoded, keys kept; a quoted sentence stays text; nesting is bounded', async () => {
    const { decodeBestEffort } = await import('../../src/model/decode.ts');
    const ctx = { problems: [] as string[], maxChars: 1 << 20, maxItems: 1000 };
    expect(decodeBestEffort('r', JSON.stringify(JSON.stringify({ service_fee_pct: 12, total: '19.0' })), ctx)).toEqual({ service_fee_pct: 12, total: '19.0' });
    expect(decodeBestEffort('r', JSON.stringify(JSON.stringify(JSON.stringify([1, 2]))), ctx)).toEqual([1, 2]);
    expect(decodeBestEffort('r', '"Hello" she said, "bye"', ctx)).toBe('"Hello" she said, "bye"');
    expect(decodeBestEffort('r', JSON.stringify('plain words'), ctx)).toBe('plain words');
    let deep = '{"a":1}';
    for (let i = 0; i < 10; i++) deep = JSON.stringify(deep);
    expect(typeof decodeBestEffort('r', deep, ctx)).toBe('string');
    expect(ctx.problems).toEqual([]);
  });
});
