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
  /**
   * Characters cut from what the judge sees: strings past `maxValueChars`, and to fit `maxChars`
   * the middle of long strings, then of long lists, each cut marked where it was made.
   */
  readonly trimmedChars: number;
}

/** Each pass halves the cap on one string (middle cut) down to this, then on list length. */
const MIN_VALUE_CAP = 48;
const FIRST_ITEM_CAP = 64;

const MAX_DEPTH = 8;

/**
 * The conversation as data for the judge. JSON, because its string escaping
 * gives untrusted text no way to fake structure (a line `assistant: …` inside
 * a tool result stays inside that result's string); the angle-bracket escapes
 * (valid JSON, as in HTML-safe JSON embedding) mean no text can reproduce the
 * `<<<…>>>` markers the prompt wraps around it. Pure: no clock, no I/O.
 */
export function renderTranscript(target: EvaluationTarget, limits: TranscriptLimits): RenderedTranscript {
  let cut = { chars: 0 };
  const cleanWith = (valueCap: number, itemCap: number) => (value: unknown): unknown => sanitize(value, { ...limits, maxValueChars: valueCap }, 0, itemCap, cut);
  const clean = cleanWith(limits.maxValueChars, Number.POSITIVE_INFINITY);
  const turns = target.turns.map((turn, index) => renderTurn(turn, index + 1, index === target.turns.length - 1, clean));
  const frameWith = (cleaner: (value: unknown) => unknown, list: <T>(items: readonly T[]) => (T | string)[] = (items) => [...items]) => ({
    conversation_id: cleaner(target.conversationId),
    system_instructions: list(target.systemInstructions).map(cleaner),
    ...(target.retrievedContext?.length ? { retrieved_context: list(target.retrievedContext).map(cleaner) } : {}),
    outcome: cleaner(target.outcome),
    cohort: cleaner(target.cohort),
  });
  let frame = frameWith(clean);
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
  let keptTurns = turns.slice(omittedTurns);
  const render = () =>
    JSON.stringify({ ...frame, ...(omittedTurns > 0 ? { omitted_earlier_turns: omittedTurns } : {}), turns: keptTurns }, null, 1);
  let json = render();
  // What is left may still be too long (one huge turn, a flood of tool calls, a long system prompt):
  // the whole request is bounded, so the middle of long strings is cut, then the middle of long lists.
  let valueCap = limits.maxValueChars;
  let itemCap = Number.POSITIVE_INFINITY;
  while (json.length > limits.maxChars && (valueCap > MIN_VALUE_CAP || itemCap > 1)) {
    if (valueCap > MIN_VALUE_CAP) valueCap = Math.max(MIN_VALUE_CAP, Math.floor(valueCap / 2));
    else itemCap = itemCap === Number.POSITIVE_INFINITY ? FIRST_ITEM_CAP : Math.max(1, Math.floor(itemCap / 2));
    cut = { chars: 0 };
    const tighter = cleanWith(valueCap, itemCap);
    const cap = itemCap;
    const list = <T>(items: readonly T[]): (T | string)[] => capItems(items, cap, cut) as (T | string)[];
    frame = frameWith(tighter, list);
    const start = omittedTurns;
    keptTurns = target.turns.slice(start).map((turn, index) => renderTurn(turn, start + index + 1, start + index === target.turns.length - 1, tighter, list));
    json = render();
  }
  if (valueCap === limits.maxValueChars && itemCap === Number.POSITIVE_INFINITY && omittedTurns > 0) {
    // Count only what was cut from what the judge sees (the dropped turns are reported as turns).
    cut = { chars: 0 };
    frame = frameWith(clean);
    keptTurns = target.turns.slice(omittedTurns).map((turn, index) => renderTurn(turn, omittedTurns + index + 1, omittedTurns + index === target.turns.length - 1, clean));
    json = render();
  }
  return { json: escapeAngles(json), turnCount: target.turns.length, omittedTurns, trimmedChars: cut.chars };
}

function renderTurn(turn: TranscriptTurn, number: number, judged: boolean, clean: (value: unknown) => unknown, list: <T>(items: readonly T[]) => (T | string)[] = (items) => [...items]): Record<string, unknown> {
  return {
    turn: number,
    ...(judged ? { judged: true } : {}),
    user: list(turn.userMessages).map(clean),
    tool_calls: list(turn.toolCalls).map((call) =>
      typeof call === 'string'
        ? call
        : {
            name: clean(call.name),
            ...(call.id !== undefined ? { id: clean(call.id) } : {}),
            arguments: clean(call.arguments ?? null),
            result: clean(call.result ?? null),
          },
    ),
    assistant: list(turn.assistantReplies).map(clean),
  };
}

/**
 * Plain JSON values only: strings redacted and capped (the middle cut, marked, so both ends stay
 * readable), lists over `itemCap` cut in the middle (marked), bigints as text, bytes and deep
 * nesting summarized. Cut characters are added to `cut.chars`.
 */
function sanitize(value: unknown, limits: TranscriptLimits, depth: number, itemCap: number, cut: { chars: number }): unknown {
  if (typeof value === 'string') {
    const text = limits.redact ? limits.redact(value) : value;
    if (text.length <= limits.maxValueChars) return text;
    const half = Math.floor(limits.maxValueChars / 2);
    cut.chars += text.length - 2 * half;
    return `${text.slice(0, half)}… [${text.length - 2 * half} of ${text.length} chars cut] …${text.slice(text.length - half)}`;
  }
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return null;
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return capItems(value, itemCap, cut).map((item) => sanitize(item, limits, depth + 1, itemCap, cut));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item !== undefined) out[sanitize(key, limits, MAX_DEPTH, itemCap, cut) as string] = sanitize(item, limits, depth + 1, itemCap, cut);
  }
  return out;
}

/** The first and last `cap / 2` items, with a marker where the rest were; the marker is rendered as text. */
function capItems(items: readonly unknown[], cap: number, cut: { chars: number }): unknown[] {
  if (items.length <= cap) return [...items];
  const head = Math.ceil(cap / 2);
  const tail = Math.floor(cap / 2);
  const dropped = items.slice(head, items.length - tail);
  cut.chars += JSON.stringify(dropped, (_key, item: unknown) => (typeof item === 'bigint' ? String(item) : item))?.length ?? 0;
  const marker = `[${dropped.length} of ${items.length} items cut]`;
  return [...items.slice(0, head), marker, ...items.slice(items.length - tail)];
}

export function escapeAngles(json: string): string {
  return json.replaceAll('<', '\\u003c').replaceAll('>', '\\u003e');
}
