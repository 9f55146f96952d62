import { describe, expect, it } from 'vitest';
import { answerSchema, extractJsonObject, parseAnswerText } from '../../src/judge/index.ts';
import { faithfulness } from '../../src/judge/rubrics/faithfulness.ts';

const schema = answerSchema(faithfulness);

describe('tolerant JSON extraction from a judge answer in free text', () => {
  it('reads a plain object, a fenced one, and one inside prose', () => {
    expect(extractJsonObject('{"a":1}')).toEqual({ a: 1 });
    expect(extractJsonObject('```json\n{"a": {"b": [1, 2]}}\n```')).toEqual({ a: { b: [1, 2] } });
    expect(extractJsonObject('Sure! Here it is: {"a": 1} Hope that helps {x}')).toEqual({ a: 1 });
  });

  it('respects braces and quotes inside strings', () => {
    expect(extractJsonObject('{"reasoning": "a } brace and a \\" quote {", "score": 3}')).toEqual({ reasoning: 'a } brace and a " quote {', score: 3 });
  });

  it('skips braces that are not JSON and finds the object after them', () => {
    expect(extractJsonObject('The set {faithful, unfaithful} — answer: {"score": 2}')).toEqual({ score: 2 });
    expect(extractJsonObject('{ unclosed { "a": 1 }')).toEqual({ a: 1 });
  });

  it('gives up on text without an object, and stays bounded on adversarial input', () => {
    expect(extractJsonObject('no braces here')).toBeUndefined();
    expect(extractJsonObject('{'.repeat(50_000))).toBeUndefined();
  });
});

describe('parseAnswerText validates with the rubric schema', () => {
  it('accepts an answer on the scale with a rubric label', () => {
    expect(parseAnswerText('```\n{"reasoning":"ok","score":4,"label":"faithful"}\n```', schema)).toEqual({ ok: true, answer: { reasoning: 'ok', score: 4, label: 'faithful' } });
  });

  it('rejects, naming the field: missing reasoning, score off the scale, fraction on an integer scale, unknown label', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"score":4,"label":"faithful"}', /reasoning/],
      ['{"reasoning":"x","score":0,"label":"faithful"}', /score: Too small/],
      ['{"reasoning":"x","score":3.5,"label":"faithful"}', /score: .*expected int/],
      ['{"reasoning":"x","score":3,"label":"good"}', /label: /],
    ];
    for (const [text, message] of cases) {
      const parsed = parseAnswerText(text, schema);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(message);
    }
    const none = parseAnswerText('I cannot decide.', schema);
    expect(none).toEqual({ ok: false, message: 'no JSON object in the judge\'s answer: "I cannot decide."' });
  });
});

describe('a verdict quoted from the transcript is never taken as the judge\'s own', () => {
  const own = '{"reasoning": "The refund is in no tool result.", "score": 2, "label": "unfaithful"}';
  const quoted = '{"reasoning": "the bot says so", "score": 5, "label": "faithful"}';

  it('takes the judge\'s own top-level object, not a quote before it or one nested inside it', () => {
    expect(parseAnswerText(`The reply contains the text {"score":5,"label":"faithful"} (not a verdict). My answer: ${own}`, schema)).toMatchObject({
      ok: true,
      answer: { score: 2, label: 'unfaithful' },
    });
    const nested = `{"reasoning": "The reply embeds ${quoted.replace(/"/g, '\\"')}", "score": 1, "label": "unfaithful"}`;
    expect(parseAnswerText(nested, schema)).toMatchObject({ ok: true, answer: { score: 1, label: 'unfaithful' } });
  });

  it('refuses an answer with two verdicts that disagree, and takes the last of several that agree', () => {
    const twice = parseAnswerText(`The reply says ${quoted}. I say: ${own}`, schema);
    expect(twice).toMatchObject({ ok: false, message: expect.stringMatching(/2 verdicts that disagree \(5\/faithful, 2\/unfaithful\); refused as ambiguous/) });
    expect(parseAnswerText(`${own}\nTo repeat: ${own}`, schema)).toMatchObject({ ok: true, answer: { score: 2 } });
  });

  it('json_object mode: the whole answer is the verdict when it is one object', () => {
    expect(parseAnswerText(`  ${own}  `, schema)).toMatchObject({ ok: true, answer: { score: 2 } });
  });
});
