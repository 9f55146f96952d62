import type { ClockTimeMention } from './clock-time.ts';
import { mergeByStart } from './clock-time.ts';
import type { MoneyMention } from './money.ts';
import type { PercentMention } from './percent.ts';
import { scanValues } from './scan.ts';
import { scanTimeWords } from './time-words.ts';

/** Every money amount in `text`, in order. Pure. */
export function extractMoney(text: string): MoneyMention[] {
  const found: MoneyMention[] = [];
  for (const value of scanValues(text)) if (value.kind === 'money') found.push(value);
  return found;
}

/**
 * Clock times in `text`, in order: written with digits, and noon / midnight in
 * words. `liberal` (for grounding sources) also takes a bare "9h" without a
 * time word before it: a source stating more only grounds more.
 */
export function extractClockTimes(text: string, liberal = false): ClockTimeMention[] {
  const found: ClockTimeMention[] = [];
  for (const value of scanValues(text, { liberal })) if (value.kind === 'time') found.push(value);
  const words = scanTimeWords(text);
  return words.length === 0 ? found : mergeByStart(found, words);
}

/** Every percentage in `text`, in order (not a commitment by itself: see `splitRefunds`). */
export function extractPercents(text: string): PercentMention[] {
  const found: PercentMention[] = [];
  for (const value of scanValues(text)) if (value.kind === 'percent') found.push(value);
  return found;
}
