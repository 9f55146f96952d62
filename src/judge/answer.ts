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
 * Reads an answer from free text, for servers without structured outputs (`json_object` mode, or
 * plain text). The whole answer (inside a code fence, if it is one) as one JSON object is the
 * verdict. Otherwise the answer's top-level JSON objects are read and the ones that fit the
 * rubric's schema considered: a judge that quotes a verdict-shaped object from the transcript
 * (`{"score": 5, "label": "faithful"}` in the reply it grades) and then gives its own must not be
 * taken at the quote's word. One fitting object, or several that agree, is the verdict (the last);
 * several that disagree are ambiguous and refused (`judge_invalid_output`).
 */
export function parseAnswerText(text: string, schema: z.ZodType<JudgeAnswer>): ParsedAnswer {
  const whole = wholeJsonObject(text);
  if (whole !== undefined) return validateAnswer(whole, schema);
  const objects = topLevelJsonObjects(text);
  if (objects.length === 0) return { ok: false, message: `no JSON object in the judge's answer: ${preview(text)}` };
  const fitting: JudgeAnswer[] = [];
  let firstProblem: ParsedAnswer | undefined;
  for (const value of objects) {
    const parsed = validateAnswer(value, schema);
    if (parsed.ok) fitting.push(parsed.answer);
    else firstProblem ??= parsed;
  }
  if (fitting.length === 0) return firstProblem!;
  const last = fitting[fitting.length - 1];
  if (fitting.some((answer) => answer.score !== last.score || answer.label !== last.label)) {
    const verdicts = fitting.map((answer) => `${answer.score}/${answer.label}`).join(', ');
    return { ok: false, message: `the judge's answer holds ${fitting.length} verdicts that disagree (${verdicts}); refused as ambiguous` };
  }
  return { ok: true, answer: last };
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

/** The answer as a whole — or the one code fence that is all of it — when it is a JSON object. */
function wholeJsonObject(text: string): unknown {
  let body = text.trim();
  const fenced = FENCE.exec(body);
  if (fenced && fenced.index === 0 && fenced[0].length === body.length) body = fenced[1].trim();
  if (!body.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The JSON objects standing at the top level of the text (fenced or not), in order: an object
 * nested in another is part of it, not a candidate of its own. Braces of prose that do not parse
 * are skipped over.
 */
export function topLevelJsonObjects(text: string): unknown[] {
  const found: unknown[] = [];
  let from = 0;
  for (let tries = 0; tries < MAX_CANDIDATES; tries++) {
    const span = balancedObjectFrom(text, from);
    if (!span) break;
    if (span.end === undefined) {
      from = span.start + 1; // unbalanced from here: a later brace may still open an object
      continue;
    }
    try {
      found.push(JSON.parse(text.slice(span.start, span.end)));
      from = span.end;
    } catch {
      from = span.start + 1; // not JSON (prose in braces): an object may start inside it
    }
  }
  return found;
}

/** The first top-level JSON object of the text (kept for callers that want just one). */
export function extractJsonObject(text: string): unknown {
  return wholeJsonObject(text) ?? topLevelJsonObjects(text)[0];
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
