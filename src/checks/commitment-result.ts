import type { EvaluationDetails, EvaluationResult } from '../model/evaluation-result.ts';
import type { Support } from './grounding.ts';
import type { ReplyFacts } from './reply-facts.ts';
import { isJsSpace } from './extract/number.ts';

/** A commitment the reply makes, and what supports it (undefined: nothing does). */
export interface CheckedValue {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly support: Support | undefined;
}

/** Characters of the reply quoted on each side of an ungrounded value. */
const QUOTE_RADIUS = 32;
/** A result is telemetry (a span event): a reply listing thousands of amounts must not make a huge one. */
const MAX_LISTED = 20;
const MAX_LISTED_DERIVED = 5;

/**
 * The result of one commitment check on one reply: `pass` (score 1) when every
 * value is grounded, else `fail` (score 0) naming each ungrounded value with
 * the words around it, also listed in `details.ungrounded_values`.
 */
export function commitmentResult(
  name: string,
  noun: string,
  facts: ReplyFacts,
  checked: readonly CheckedValue[],
): EvaluationResult {
  const ungrounded: string[] = [];
  let unlisted = 0;
  let explanation = '';
  let derived = '';
  let derivedCount = 0;
  const derivations: string[] = [];
  for (const value of checked) {
    if (value.support === undefined) {
      if (ungrounded.includes(value.text)) continue;
      if (ungrounded.length === MAX_LISTED) {
        unlisted++;
        continue;
      }
      ungrounded.push(value.text);
      explanation += `${explanation ? '; ' : ''}ungrounded ${noun} "${value.text}" in "${quote(facts.text, value.start, value.end)}"`;
    } else if (value.support.step !== 'stated' && derivedCount++ < MAX_LISTED_DERIVED) {
      derived += `${derived ? ', ' : ''}"${value.text}" = ${value.support.from}`;
      // Which step grounded the value, for a reviewer: "€340 = 170.00 × 2 (a count the reply states) [product]".
      derivations.push(`${value.text} = ${value.support.from} [${value.support.step}]`);
    }
  }
  const passed = ungrounded.length === 0;
  if (passed) {
    explanation = `${checked.length} ${noun} value${checked.length === 1 ? '' : 's'} checked, all grounded in the conversation's sources`;
    if (derived) explanation += ` (by one step: ${derived}${derivedCount > MAX_LISTED_DERIVED ? ', …' : ''})`;
  } else if (unlisted > 0) {
    explanation += `; and ${unlisted} more ungrounded ${noun} value${unlisted === 1 ? '' : 's'}`;
  }
  if (facts.truncated) {
    explanation += `; reply truncated: only its first ${facts.maxScannedChars} characters were checked`;
  }
  let details: EvaluationDetails = { values_checked: checked.length, ungrounded_values: ungrounded };
  if (derivations.length > 0) details = { ...details, derived_values: derivations };
  if (unlisted > 0) details = { ...details, ungrounded_unlisted: unlisted };
  if (facts.truncated) details = { ...details, truncated: true };
  return { name, score: passed ? 1 : 0, label: passed ? 'pass' : 'fail', explanation, source: 'deterministic', details };
}

/** The value with the words around it, on one line: `…the premium cut is $89.99 including…`. */
export function quote(text: string, start: number, end: number): string {
  let from = Math.max(0, start - QUOTE_RADIUS);
  let to = Math.min(text.length, end + QUOTE_RADIUS);
  // Do not cut a word in half at either end.
  if (from > 0) {
    const space = text.indexOf(' ', from);
    if (space !== -1 && space < start) from = space + 1;
  }
  if (to < text.length) {
    const space = text.lastIndexOf(' ', to);
    if (space >= end) to = space;
  }
  const inner = oneLine(text.slice(from, to));
  return `${from > 0 ? '…' : ''}${inner}${to < text.length ? '…' : ''}`;
}

/**
 * `text.replace(/\s+/g, ' ').trim()`, returning `text` itself when that changes
 * nothing (single spaces between words, as most quotes are) without running the regex.
 */
export function oneLine(text: string): string {
  const last = text.length - 1;
  let previousSpace = true; // a space at the start is trimmed
  for (let i = 0; i <= last; i++) {
    const code = text.charCodeAt(i);
    if (code === 32) {
      if (previousSpace || i === last) return text.replace(/\s+/g, ' ').trim();
      previousSpace = true;
    } else if (isJsSpace(code)) {
      return text.replace(/\s+/g, ' ').trim();
    } else {
      previousSpace = false;
    }
  }
  return text;
}
