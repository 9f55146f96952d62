import type { MoneyMention } from './money.ts';
import type { PercentMention } from './percent.ts';
import type { WordSpan } from './words.ts';

/** An amount or percentage the reply states as refunded, reimbursed or credited. */
export type RefundMention = MoneyMention | PercentMention;

/** A clause joined by one of these is another statement ("…refund, but the new total is $45"). */
const CONJUNCTION =
  /(?<![a-zà-ÿ])(?:and|but|or|while|whereas|however|y|o|pero|sin embargo|und|oder|aber|jedoch|et|ou|mais|cependant)(?![a-zà-ÿ])/i;

/** "…4,95 € del envío no se reembolsan", "the $15 fee is not refunded": the value is named as not refunded. */
const NEGATION = /(?<![a-zà-ÿ])(?:not|no|never|nicht|kein|keine|non|ne|pas|nunca|não|niet|geen|nooit)(?![a-zà-ÿ])/i;

/**
 * Between a credit and a value, what is still to pay: "after the credit you owe $85", "tras el
 * crédito le quedan 85 € por pagar". The value is the balance, a price, not the credit.
 */
const BALANCE =
  /(?<![a-zà-ÿ])(?:owe|you pay|to pay|remaining|left|balance|quedan?|pendiente|paga|zahlen sie|restbetrag|offen|payez|reste|restant|resta|restano|faltam|betaalt u|resteert|openstaand)(?![a-zà-ÿ])/i;

/** A refund value restated in other terms right after another: "a 50% refund, that is $22.50", "50 %, soit 15 €". */
const RESTATING = /that is|that's|i\.e\.|which is|which comes to|es decir|o sea|d\. ?h\.|das sind|das heißt|also|soit|c'est-à-dire|[—–(=]/i;
const MAX_RESTATING_GAP = 30;

/** How far a refund word may stand from its value, in characters. */
const MAX_WORD_BEFORE_GAP = 60;
const MAX_WORD_AFTER_GAP = 40;

/**
 * Splits the reply's money and percentages (in text order) into refund values
 * and other money. A value is a refund value when a refund word governs it:
 * before it in the same sentence with no other value and no conjunction between
 * ("a refund of $45", "Erstattung von 45 €"), just after it in the same clause
 * ("$45 will be refunded", "45 € werden erstattet", "a $10 credit"), or when it
 * restates the refund value just before it ("a 50% refund, that is $22.50").
 * A negation between word and value ("4,95 € … no se reembolsan") undoes it.
 * A percentage outside a refund context is no commitment and is dropped.
 */
export function splitRefunds(
  text: string,
  values: readonly RefundMention[],
  words: readonly WordSpan[],
): { readonly refunds: RefundMention[]; readonly others: MoneyMention[] } {
  const refunds: RefundMention[] = [];
  const others: MoneyMention[] = [];
  let w = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    while (w < words.length && words[w].end <= value.start) w++;
    const before = w > 0 ? words[w - 1] : undefined;
    const after = w < words.length && words[w].start >= value.end ? words[w] : undefined;
    const previousEnd = i > 0 ? values[i - 1].end : -1;
    const nextStart = i + 1 < values.length ? values[i + 1].start : Infinity;
    const previousRefund = refunds.length > 0 ? refunds[refunds.length - 1] : undefined;
    const governed =
      (before !== undefined && before.end >= previousEnd && governs(text, before.end, value.start, MAX_WORD_BEFORE_GAP, false)) ||
      (after !== undefined && after.start <= nextStart && governs(text, value.end, after.start, MAX_WORD_AFTER_GAP, true)) ||
      (previousRefund !== undefined && previousRefund.end === previousEnd && restates(text, previousEnd, value.start, previousRefund.kind === 'percent' && value.kind === 'money'));
    if (governed) refunds.push(value);
    else if (value.kind === 'money') others.push(value);
  }
  return { refunds, others };
}

function governs(text: string, from: number, to: number, maxGap: number, sameClause: boolean): boolean {
  if (to - from > maxGap) return false;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    // Sentence ends: ! ? ; newline, and a period followed by a space (not a decimal mark).
    if (code === 33 || code === 63 || code === 59 || code === 10) return false;
    if (code === 46 && (i + 1 >= text.length || text.charCodeAt(i + 1) === 32)) return false;
    if (sameClause && code === 44) return false;
  }
  const gap = text.slice(from, to);
  return !CONJUNCTION.test(gap) && !NEGATION.test(gap) && (sameClause || !BALANCE.test(gap));
}

/**
 * A refund percentage followed in its sentence by an amount names what the percentage comes to
 * ("we refunded 50% of the fee, $17.50") without needing "that is".
 */
function restates(text: string, from: number, to: number, amountOfPercent: boolean): boolean {
  if (to - from > MAX_RESTATING_GAP || !governs(text, from, to, MAX_RESTATING_GAP, false)) return false;
  return amountOfPercent ? AMOUNT_OF_PERCENT.test(text.slice(from, to)) || RESTATING.test(text.slice(from, to)) : RESTATING.test(text.slice(from, to));
}

/** "50% of the overdraft fee, $17.50", "50 % de la comisión, 15 €": the amount, after a comma. */
const AMOUNT_OF_PERCENT = /^ (?:of|de|des|du|der|des|di|del|della|dos|das|van|von)\b[^,;]{0,24}, ?$/i;
