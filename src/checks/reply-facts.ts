import type { Turn } from '../model/conversation.ts';
import { CheckInputError } from './check-input-error.ts';
import type { ClockTimeMention } from './extract/clock-time.ts';
import { mergeByStart } from './extract/clock-time.ts';
import type { MoneyMention } from './extract/money.ts';
import { splitRefunds } from './extract/refund.ts';
import type { RefundMention } from './extract/refund.ts';
import { scanValues } from './extract/scan.ts';
import { scanTimeWords } from './extract/time-words.ts';
import { scanRefundWords } from './extract/words.ts';
import type { SupportContext } from './grounding.ts';
import { COUNT_WORDS, NUMBER_WORDS } from './source-facts.ts';

/** Characters of a reply the checks read; the rest is not scanned and the result says so. */
export const DEFAULT_MAX_SCANNED_CHARS = 64 * 1024;

/** The commitments one reply makes, read once and shared by the three checks. */
export interface ReplyFacts {
  /** The reply as given. */
  readonly source: string;
  /** The text that was scanned (the reply, or its first `maxScannedChars`). */
  readonly text: string;
  readonly truncated: boolean;
  readonly maxScannedChars: number;
  /** Money amounts that are not refund amounts. */
  readonly prices: readonly MoneyMention[];
  readonly times: readonly ClockTimeMention[];
  readonly refunds: readonly RefundMention[];
}

/** Pure: what `replyText` commits to. One digit-anchored pass, one pass for noon / midnight, refund words near values. */
export function readReplyFacts(replyText: string, maxScannedChars = DEFAULT_MAX_SCANNED_CHARS): ReplyFacts {
  const truncated = replyText.length > maxScannedChars;
  const text = truncated ? replyText.slice(0, maxScannedChars) : replyText;
  const money: RefundMention[] = [];
  let times: ClockTimeMention[] = [];
  for (const value of scanValues(text)) {
    if (value.kind === 'time') times.push(value);
    else if (value.kind === 'money' || value.kind === 'percent') money.push(value);
  }
  const timeWords = scanTimeWords(text);
  if (timeWords.length > 0) times = mergeByStart(times, timeWords);
  if (money.length === 0) return { source: replyText, text, truncated, maxScannedChars, prices: [], times, refunds: [] };
  const { refunds, others } = splitRefunds(text, money, scanRefundWords(text, money));
  return { source: replyText, text, truncated, maxScannedChars, prices: others, times, refunds };
}

// The checks of one turn run back to back, so remembering the last turn is
// enough; a WeakMap entry per turn cost more (insertion, GC of ephemerons)
// than it saved, measured in bench/checks-throughput.ts.
let lastTurn: Turn | undefined;
let lastFacts: ReplyFacts | undefined;

/**
 * The facts of a turn's reply, read once per turn whichever check asks first
 * (the three built-in checks run on the same turn back to back).
 */
export function replyFactsOf(turn: Turn, maxScannedChars: number): ReplyFacts {
  if (turn === null || typeof turn !== 'object') throw new CheckInputError('turn', turn, 'an object');
  const replyText: unknown = turn.replyText;
  if (turn === lastTurn && lastFacts !== undefined && lastFacts.maxScannedChars === maxScannedChars && replyText === lastFacts.source) {
    return lastFacts;
  }
  if (typeof replyText !== 'string') throw new CheckInputError('turn.replyText', replyText, 'a string');
  const facts = readReplyFacts(replyText, maxScannedChars);
  lastTurn = turn;
  lastFacts = facts;
  return facts;
}

/**
 * What the reply itself adds to a value's support (grounding.ts `SupportContext`): the counts it
 * states ("for two nights", "3×"), read only for a value nothing simpler supports.
 */
export function replyContextOf(facts: ReplyFacts, maxLineItems: number): SupportContext {
  return { replyQuantities: () => replyQuantitiesOf(facts), maxLineItems };
}

/** Whether a money value is written in whole units ("$4", "45,- €", "1.250 €"), not with cents. */
export function inWholeUnits(value: { readonly minor: number; readonly text: string }): boolean {
  return value.minor % 100 === 0 && !CENTS.test(value.text);
}

const COUNTED_DIGITS =
  /(?<![A-Za-zÀ-ɏ\d])(?:for|por|für|pour|per|para|voor|x|×)\s?(\d{1,2})(?=\s+[A-Za-zÀ-ɏ]{3,})|(?<![\d.,])(\d{1,2})\s?[x×](?![A-Za-zÀ-ɏ\d])/gi;
const ITALIAN_TWO = /(?<![A-Za-zÀ-ɏ])[dD]ue (?!(?:to|date|dates|on|in|at|by|for|upon|diligence|process)(?![a-z]))[a-zà-ù]+[ie](?![A-Za-zÀ-ɏ])/g;

/** A decimal part of one or two digits ("4.50", "4,5"), not a thousands group ("1.250"). */
const CENTS = /[.,]\d{1,2}(?!\d)/;

let quantitiesFor: ReplyFacts | undefined;
let quantities: readonly number[] = [];

/** Count words and counted numbers of the reply (2 to 999), read once per reply. */
function replyQuantitiesOf(facts: ReplyFacts): readonly number[] {
  if (facts === quantitiesFor) return quantities;
  const found: number[] = [];
  const text = facts.text;
  COUNT_WORDS.lastIndex = 0;
  for (let m = COUNT_WORDS.exec(text); m !== null; m = COUNT_WORDS.exec(text)) {
    const before = m.index > 0 ? text.charCodeAt(m.index - 1) : 32;
    if (!isLetterCode(before)) found.push(NUMBER_WORDS[m[1].toLowerCase()]);
  }
  // it "due" (two) only before an Italian plural ("due notti"), never in English "due to", "due date".
  ITALIAN_TWO.lastIndex = 0;
  for (let m = ITALIAN_TWO.exec(text); m !== null; m = ITALIAN_TWO.exec(text)) found.push(2);
  // Digits count only where they say how many ("for 2 nights", "3×"), not where they name ("item 12 is").
  COUNTED_DIGITS.lastIndex = 0;
  for (let m = COUNTED_DIGITS.exec(text); m !== null; m = COUNTED_DIGITS.exec(text)) {
    const count = Number(m[1] ?? m[2]);
    if (count >= 2) found.push(count);
  }
  quantitiesFor = facts;
  quantities = found;
  return found;
}

function isLetterCode(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 0xc0 && code <= 0x24f);
}
