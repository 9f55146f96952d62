import { describe, expect, it } from 'vitest';
import { payloadText } from '../../src/model/payload-text.ts';

describe('payloadText', () => {
  it.each([
    ['a string as is', 'Late checkout?', 'Late checkout?'],
    ['OpenLLMetry inputs wrapper', { inputs: { question: 'Late checkout?' }, tags: [] }, 'Late checkout?'],
    ['JS args list, one line per argument', { args: ['room 12', 'late checkout'], kwargs: {} }, 'room 12\nlate checkout'],
    ['chat messages by content', { messages: [{ role: 'user', content: 'Late checkout?' }] }, 'Late checkout?'],
    ['LangChain input over chat history', { input: 'Late checkout?', chat_history: [] }, 'Late checkout?'],
    ['no text-like key: compact JSON keeps every value', { room: 12, until: '14:00' }, '{"room":12,"until":"14:00"}'],
    ['an empty text key falls through to the next', { text: '', answer: 'Until 14:00.' }, 'Until 14:00.'],
  ])('%s', (_name, payload, expected) => {
    expect(payloadText(payload)).toBe(expected);
  });

  it('stops descending past a few levels and shows the rest as JSON', () => {
    const deep = { inputs: { inputs: { inputs: { inputs: { inputs: 'x' } } } } };
    expect(payloadText(deep)).toBe('{"inputs":"x"}');
  });
});
