import { z } from 'zod';
import type { Rubric } from './rubric.ts';

/** One judgment as the judge writes it; reasoning first, so it is generated before the score. */
export interface JudgeAnswer {
  readonly reasoning: string;
  /** On the rubric's scale, not yet mapped to 0..1. */
  readonly score: number;
  readonly label: string;
}

/**
 * The answer schema for a rubric, used twice with the same rules: as the
 * strict structured-output format (`zodResponseFormat`: z.object root, every
 * field required), and to validate text answers from servers without it.
 * A score off the scale or a label not in the rubric fails validation.
 */
export function answerSchema(rubric: Rubric): z.ZodType<JudgeAnswer> {
  const number = rubric.scale.integer ? z.number().int() : z.number();
  const [first, ...rest] = rubric.labels;
  return z.object({
    reasoning: z.string(),
    score: number.min(rubric.scale.min).max(rubric.scale.max),
    label: z.enum([first, ...rest]),
  });
}

export type ParsedAnswer = { readonly ok: true; readonly answer: JudgeAnswer } | { readonly ok: false; readonly message: string };

/**
 * Reads an answer from free text, for servers without structured outputs:
 * code fences stripped, then the first balanced `{…}` that is valid JSON
 * (strings and escapes respected), validated by the rubric's schema.
 */
export function parseAnswerText(text: string, schema: z.ZodType<JudgeAnswer>): ParsedAnswer {
  const value = extractJsonObject(text);
  if (value === undefined) return { ok: false, message: `no JSON object in the judge's answer: ${preview(text)}` };
  return validateAnswer(value, schema);
}

export function validateAnswer(value: unknown, schema: z.ZodType<JudgeAnswer>): ParsedAnswer {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, answer: result.data };
  return { ok: false, message: `the judge's answer does not fit the rubric: ${describeIssues(result.error)}` };
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'answer'}: ${issue.message}`).join('; ');
}

const FENCE = /```[a-zA-Z0-9_-]*[ \t]*\n?([\s\S]*?)```/;
/** Bounds the scan on adversarial text (`{{{{…`): a judge's answer has its object near the start. */
const MAX_CANDIDATES = 32;

/** The first balanced `{…}` in the text (inside a code fence first) that parses as JSON. */
export function extractJsonObject(text: string): unknown {
  const fenced = FENCE.exec(text);
  for (const source of fenced ? [fenced[1], text] : [text]) {
    let from = 0;
    for (let tries = 0; tries < MAX_CANDIDATES; tries++) {
      const span = balancedObjectFrom(source, from);
      if (!span) break;
      from = span.start + 1;
      if (span.end === undefined) continue; // unbalanced from here: a later brace may still open an object
      try {
        return JSON.parse(source.slice(span.start, span.end));
      } catch {
        // not JSON (prose in braces): try the next one
      }
    }
  }
  return undefined;
}

function balancedObjectFrom(text: string, from: number): { start: number; end?: number } | undefined {
  const start = text.indexOf('{', from);
  if (start === -1) return undefined;
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{') {
      depth++;
    } else if (char === '}' && --depth === 0) {
      return { start, end: index + 1 };
    }
  }
  return { start };
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 120 ? `${flat.slice(0, 120)}…` : flat);
}
