import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/model/normalize.ts';
import type { NormalizeOptions } from '../../src/model/normalize.ts';
import { spanRecord } from './builders.ts';

/**
 * The latest clean read of a system prompt or reply is compared before the memo is asked
 * (genai.ts). It must hand out only what reading the string again would give: the same
 * string under the same limits, and never a read that noted a problem.
 */
const long = (text: string) => `${text} ${'Quote prices only from tool results. '.repeat(3)}`;
const SYSTEM_A = JSON.stringify([{ type: 'text', content: long('Prompt A.') }, { type: 'text', content: 'Be brief.' }]);
const SYSTEM_B = JSON.stringify([{ type: 'text', content: long('Prompt B.') }]);
const REPLY = JSON.stringify([
  { role: 'assistant', parts: [{ type: 'text', content: long('First message.') }] },
  { role: 'assistant', parts: [{ type: 'text', content: 'Second message.' }] },
]);

/** A fresh copy of the string, as each decoded request carries its own. */
const copy = (text: string) => (' ' + text).slice(1);

function chat(attributes: Record<string, string>, options?: NormalizeOptions) {
  return normalizeSpan(spanRecord({ name: 'chat m', attributes: { 'gen_ai.operation.name': 'chat', ...attributes } }), options);
}

describe('the latest read of a repeated prompt or reply', () => {
  it('is handed out again for an equal string: the very same value, no new problems', () => {
    const first = chat({ 'gen_ai.system_instructions': SYSTEM_A, 'gen_ai.output.messages': REPLY });
    const again = chat({ 'gen_ai.system_instructions': copy(SYSTEM_A), 'gen_ai.output.messages': copy(REPLY) });
    expect(again.systemInstructions).toBe(first.systemInstructions);
    expect(again.outputMessages).toBe(first.outputMessages);
    expect(again.systemInstructions).toEqual([long('Prompt A.'), 'Be brief.']);
    expect(again.problems).toEqual([]);
  });

  it('is not handed out under another item limit, nor another character limit', () => {
    chat({ 'gen_ai.system_instructions': SYSTEM_A });
    const fewer = chat({ 'gen_ai.system_instructions': copy(SYSTEM_A) }, { maxItems: 1 });
    expect(fewer.systemInstructions).toEqual([long('Prompt A.')]);
    expect(fewer.problems).toEqual(['gen_ai.system_instructions: 2 parts, read the first 1']);

    chat({ 'gen_ai.output.messages': REPLY });
    const shorter = chat({ 'gen_ai.output.messages': copy(REPLY) }, { maxAttributeChars: 100 });
    expect(shorter.outputMessages).toEqual([]);
    expect(shorter.problems).toEqual([`gen_ai.output.messages: ${REPLY.length} characters exceeds the 100-character parse limit; not read`]);
  });

  it('another string is read for itself, and the earlier one is still found after it', () => {
    const a = chat({ 'gen_ai.system_instructions': SYSTEM_A });
    const b = chat({ 'gen_ai.system_instructions': SYSTEM_B });
    expect(b.systemInstructions).toEqual([long('Prompt B.')]);
    const aAgain = chat({ 'gen_ai.system_instructions': copy(SYSTEM_A) });
    expect(aAgain.systemInstructions).toEqual(a.systemInstructions);
  });

  it('a read that noted a problem is never handed out: the problem is noted on every span', () => {
    const withBadPart = JSON.stringify([{ type: 'text', content: long('Prompt C.') }, 5]);
    for (let i = 0; i < 3; i++) {
      const view = chat({ 'gen_ai.system_instructions': copy(withBadPart) });
      expect(view.systemInstructions).toEqual([long('Prompt C.')]);
      expect(view.problems).toEqual(['gen_ai.system_instructions[1]: expected a part map, got number; skipped']);
    }
  });

  it('a prompt too short to remember is read each time, with the same result', () => {
    const short = JSON.stringify([{ type: 'text', content: 'Hi.' }]);
    const first = chat({ 'gen_ai.system_instructions': short });
    const again = chat({ 'gen_ai.system_instructions': copy(short) });
    expect(again.systemInstructions).toEqual(['Hi.']);
    expect(again.systemInstructions).not.toBe(first.systemInstructions);
  });
});
