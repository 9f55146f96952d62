import { describe, expect, it } from 'vitest';
import { scanAttributes } from '../../src/model/attribute-scan.ts';
import { App, GenAI } from '../../src/model/attributes.ts';
import { DEFAULT_MAX_ATTRIBUTE_CHARS, DEFAULT_MAX_ITEMS } from '../../src/model/decode.ts';
import type { Attributes } from '../../src/model/span-record.ts';

function scan(attributes: Attributes) {
  const problems: string[] = [];
  const result = scanAttributes(attributes, { problems, maxChars: DEFAULT_MAX_ATTRIBUTE_CHARS, maxItems: DEFAULT_MAX_ITEMS });
  expect(problems).toEqual([]);
  return result;
}

describe('scanAttributes', () => {
  // The names read whole take a fast path; each must still classify as the prefix did.
  it.each(Object.values(GenAI))('%s alone is GenAI semconv content and nothing else', (name) => {
    const result = scan({ [name]: 'x' });
    expect(result).toMatchObject({ genAI: true, openInference: false, openLLMetry: false });
    expect(result.prompts).toBeUndefined();
    expect(result.completions).toBeUndefined();
  });

  it('other gen_ai.* keys, including ones that start like prompt or completion, are GenAI only', () => {
    for (const name of ['gen_ai.request.temperature', 'gen_ai.promptly', 'gen_ai.prompt', 'gen_ai.completions.0', 'gen_ai.custom']) {
      expect(scan({ [name]: 1 }), name).toMatchObject({ genAI: true, openInference: false, openLLMetry: false });
    }
  });

  it('OpenLLMetry prompt and completion lists are collected beside the semconv names', () => {
    const result = scan({
      [GenAI.PROVIDER_NAME]: 'openai',
      'gen_ai.prompt.0.role': 'user',
      [GenAI.CONVERSATION_ID]: 'c1',
      'gen_ai.prompt.0.content': 'hi',
      'gen_ai.completion.0.content': 'hello',
    });
    expect(result).toMatchObject({ genAI: true, openLLMetry: true, openInference: false });
    expect(result.prompts).toEqual([
      ['gen_ai.prompt.0.role', 'user'],
      ['gen_ai.prompt.0.content', 'hi'],
    ]);
    expect(result.completions).toEqual([['gen_ai.completion.0.content', 'hello']]);
  });

  it('keys of no family we read leave the span content-free', () => {
    expect(scan({ 'http.route': '/chat', 'gen_ai': 'x', 'gen.ai.system': 'x', 'user.language': 'en' })).toMatchObject({
      genAI: false,
      openInference: false,
      openLLMetry: false,
    });
  });

  it('app.* attributes beside semconv names still become outcome and cohort', () => {
    const result = scan({ [GenAI.OPERATION_NAME]: 'chat', 'app.vertical': 'retail', [App.ESCALATED]: true });
    expect(result.genAI).toBe(true);
    expect(result.outcome).toEqual({ escalated: true });
    expect(result.cohort).toEqual({ 'app.vertical': 'retail' });
  });
});
