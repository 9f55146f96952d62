import { describe, expect, it } from 'vitest';
import { seededRandom as random } from '../../src/offline/compare/stats.ts';
import type { ReadContext } from '../../src/model/decode.ts';
import { readMessages } from '../../src/model/genai-messages.ts';
import { historySourceText, readInputMessages } from '../../src/model/history-memo.ts';

const NAME = 'gen_ai.input.messages';
const context = (maxItems = 1000): ReadContext => ({ problems: [], maxChars: 1 << 20, maxItems });


/** One exchange of an agent conversation: the user asks, the agent calls a tool, reads the answer, replies. */
function exchange(turn: number, next: () => number): unknown[] {
  const id = `call_${turn}`;
  return [
    { role: 'user', parts: [{ type: 'text', content: `Question ${turn}: what does order NW-${1000 + turn} cost with shipping? ${'detail '.repeat(Math.floor(next() * 20))}` }] },
    { role: 'assistant', parts: [{ type: 'tool_call', id, name: 'lookup_order', arguments: { order: `NW-${1000 + turn}` } }] },
    { role: 'tool', parts: [{ type: 'tool_call_response', id, response: { order: `NW-${1000 + turn}`, total: `$${(next() * 100).toFixed(2)}`, lines: Array.from({ length: 1 + Math.floor(next() * 4) }, (_, i) => ({ sku: `SKU-${i}`, qty: i + 1 })) } }] },
    { role: 'assistant', parts: [{ type: 'text', content: `Order NW-${1000 + turn} is on its way.` }] },
  ];
}

/** What reading the whole text gives, and the problems it notes. */
function wholeRead(text: string, maxItems = 1000) {
  const ctx = context(maxItems);
  return { messages: readMessages(NAME, text, ctx), problems: ctx.problems };
}

describe('readInputMessages (history memo)', () => {
  it('reads a growing conversation as reading each input whole does, over many conversations and turns', () => {
    const next = random(7);
    const histories = new Map<string, unknown[]>();
    for (let step = 0; step < 600; step++) {
      const conversation = `conv-memo-${Math.floor(next() * 12)}`;
      const history = histories.get(conversation) ?? [];
      const roll = next();
      // Mostly growth, sometimes an agent that trims its history or starts over (not a prefix any more).
      if (roll < 0.8) history.push(...exchange(step, next));
      else if (roll < 0.9) history.splice(0, Math.min(history.length, 2));
      else history.length = 0;
      if (history.length === 0) history.push(...exchange(step, next));
      histories.set(conversation, history);
      const text = JSON.stringify(history);
      const ctx = context();
      const read = readInputMessages(NAME, text, conversation, ctx);
      const whole = wholeRead(text);
      expect(read).toEqual(whole.messages);
      expect(ctx.problems).toEqual(whole.problems);
      // Each tool answer's grounding text is a text of that very value (short inputs are not kept).
      if (text.length < 256) continue;
      for (const message of read) {
        for (const part of message.parts) {
          if (part.type !== 'tool_call_response') continue;
          const answer = historySourceText(part.response);
          expect(answer).toBeDefined();
          expect(JSON.parse(answer as string)).toEqual(part.response);
        }
      }
    }
  });

  it('an extension that is not valid JSON is read whole and reported, and the memo still extends the valid input after it', () => {
    const next = random(3);
    const conversation = 'conv-memo-malformed';
    const history = [...exchange(1, next), ...exchange(2, next)];
    const valid = JSON.stringify(history);
    readInputMessages(NAME, valid, conversation, context());
    const body = valid.slice(0, -1);
    // A trailing comma reads as an empty extension on its own: the whole text must be refused instead.
    for (const broken of [`${body},]`, `${body}, ]`, `${body},{"role":"user","parts":[}]`, `${body},"text"]`, `${body},{"role":"user"}] trailing`, `${body},`]) {
      const ctx = context();
      const read = readInputMessages(NAME, broken, conversation, ctx);
      const whole = wholeRead(broken);
      expect(read).toEqual(whole.messages);
      expect(ctx.problems).toEqual(whole.problems);
      expect(ctx.problems.length).toBeGreaterThan(0);
    }
    const grown = JSON.stringify([...history, ...exchange(3, next)]);
    const ctx = context();
    expect(readInputMessages(NAME, grown, conversation, ctx)).toEqual(wholeRead(grown).messages);
    expect(ctx.problems).toEqual([]);
  });

  it('an input whose earlier messages changed is read whole, even when every length still lines up', () => {
    const next = random(11);
    const conversation = 'conv-memo-edited';
    const history = [...exchange(1, next), ...exchange(2, next)];
    const text = JSON.stringify(history);
    readInputMessages(NAME, text, conversation, context());
    // Same length, one character changed in the first message, then one more exchange.
    const edited = JSON.stringify([...history, ...exchange(3, next)]).replace('Question 1:', 'Question 9:');
    expect(edited.charCodeAt(text.length - 1)).toBe(0x2c);
    const read = readInputMessages(NAME, edited, conversation, context());
    expect(read).toEqual(wholeRead(edited).messages);
    expect((read[0].parts[0] as { content: string }).content).toContain('Question 9:');
  });

  it('whitespace before the closing bracket, the same text again, and another conversation’s prefix', () => {
    const next = random(5);
    const first = exchange(1, next);
    const spaced = `${JSON.stringify(first).slice(0, -1)} \n]`;
    readInputMessages(NAME, spaced, 'conv-memo-ws', context());
    const grown = `${spaced.slice(0, -1)},${JSON.stringify(exchange(2, next)).slice(1)}`;
    expect(readInputMessages(NAME, grown, 'conv-memo-ws', context())).toEqual(wholeRead(grown).messages);
    // The same text again: equal, and a fresh array each time (views hand their lists on).
    const again = readInputMessages(NAME, grown, 'conv-memo-ws', context());
    again.pop();
    expect(readInputMessages(NAME, grown, 'conv-memo-ws', context())).toEqual(wholeRead(grown).messages);
    // Another conversation whose input starts the same way: exact either way.
    expect(readInputMessages(NAME, grown, 'conv-memo-other', context())).toEqual(wholeRead(grown).messages);
  });

  it('keeps the maxItems note of a whole read when the conversation outgrows maxItems', () => {
    const next = random(9);
    const conversation = 'conv-memo-items';
    const history: unknown[] = [];
    for (let turn = 0; turn < 6; turn++) {
      history.push(...exchange(turn, next));
      const text = JSON.stringify(history);
      const ctx = context(10);
      expect(readInputMessages(NAME, text, conversation, ctx)).toEqual(wholeRead(text, 10).messages);
      expect(ctx.problems).toEqual(wholeRead(text, 10).problems);
    }
  });

  it('non-string, short and conversation-less inputs are read as before', () => {
    const structured = [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }];
    expect(readInputMessages(NAME, structured as never, 'conv-memo-structured', context())).toEqual(readMessages(NAME, structured as never, context()));
    const short = JSON.stringify(structured);
    expect(readInputMessages(NAME, short, 'conv-memo-short', context())).toEqual(wholeRead(short).messages);
    const long = JSON.stringify(exchange(1, random(1)));
    expect(readInputMessages(NAME, long, undefined, context())).toEqual(wholeRead(long).messages);
    expect(readInputMessages(NAME, 'not json at all, but long enough to be considered for the memo '.repeat(5), 'conv-memo-bad', context())).toEqual([]);
  });
});
