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
