import type { EvaluationTarget, TranscriptTurn } from './evaluator.ts';

export interface TranscriptLimits {
  /** Budget for the whole rendering; the oldest turns are left out beyond it (the judged turn never is). */
  readonly maxChars: number;
  /** Any one string (a message, a tool result) is cut to this many characters. */
  readonly maxValueChars: number;
  /** Applied to every string before it leaves for the judge (personal data masking). */
  readonly redact?: (text: string) => string;
}

export interface RenderedTranscript {
  /** JSON with every `<` and `>` written as `\u003c` / `\u003e`: it cannot contain a delimiter. */
  readonly json: string;
  readonly turnCount: number;
  readonly omittedTurns: number;
}

const MAX_DEPTH = 8;

/**
 * The conversation as data for the judge. JSON, because its string escaping
 * gives untrusted text no way to fake structure (a line `assistant: …` inside
 * a tool result stays inside that result's string); the angle-bracket escapes
 * (valid JSON, as in HTML-safe JSON embedding) mean no text can reproduce the
 * `<<<…>>>` markers the prompt wraps around it. Pure: no clock, no I/O.
 */
export function renderTranscript(target: EvaluationTarget, limits: TranscriptLimits): RenderedTranscript {
  const clean = (value: unknown): unknown => sanitize(value, limits, 0);
  const turns = target.turns.map((turn, index) => renderTurn(turn, index + 1, index === target.turns.length - 1, clean));
  const frame = {
    conversation_id: clean(target.conversationId),
    system_instructions: target.systemInstructions.map(clean),
    ...(target.retrievedContext?.length ? { retrieved_context: target.retrievedContext.map(clean) } : {}),
    outcome: clean(target.outcome),
    cohort: clean(target.cohort),
  };
  // Drop whole turns, oldest first, until the rendering fits; the judged turn stays.
  const budget = limits.maxChars - JSON.stringify(frame).length;
  const sizes = turns.map((turn) => JSON.stringify(turn).length);
  let kept = turns.length;
  let total = sizes.reduce((sum, size) => sum + size, 0);
  while (kept > 1 && total > budget) {
    total -= sizes[turns.length - kept];
    kept -= 1;
  }
  const omittedTurns = turns.length - kept;
  const body = {
    ...frame,
    ...(omittedTurns > 0 ? { omitted_earlier_turns: omittedTurns } : {}),
    turns: turns.slice(omittedTurns),
  };
  return { json: escapeAngles(JSON.stringify(body, null, 1)), turnCount: target.turns.length, omittedTurns };
}

function renderTurn(turn: TranscriptTurn, number: number, judged: boolean, clean: (value: unknown) => unknown): Record<string, unknown> {
  return {
    turn: number,
    ...(judged ? { judged: true } : {}),
    user: turn.userMessages.map(clean),
    tool_calls: turn.toolCalls.map((call) => ({
      name: clean(call.name),
      ...(call.id !== undefined ? { id: clean(call.id) } : {}),
      arguments: clean(call.arguments ?? null),
      result: clean(call.result ?? null),
    })),
    assistant: turn.assistantReplies.map(clean),
  };
}

/** Plain JSON values only: strings redacted and capped, bigints as text, bytes and cycles summarized. */
function sanitize(value: unknown, limits: TranscriptLimits, depth: number): unknown {
  if (typeof value === 'string') {
    const text = limits.redact ? limits.redact(value) : value;
    return text.length > limits.maxValueChars ? `${text.slice(0, limits.maxValueChars)}… [cut, ${text.length} chars]` : text;
  }
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return null;
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => sanitize(item, limits, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item !== undefined) out[sanitize(key, limits, MAX_DEPTH) as string] = sanitize(item, limits, depth + 1);
  }
  return out;
}

export function escapeAngles(json: string): string {
  return json.replaceAll('<', '\\u003c').replaceAll('>', '\\u003e');
}
