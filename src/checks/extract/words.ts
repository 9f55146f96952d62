import { currencyOf, isLetter } from './currency.ts';

/** A refund word's span in the reply. */
export interface WordSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * Refund vocabulary of en, es, de, fr, it, pt, nl — refunds, and refunds phrased as credits (store
 * credit, vouchers, gift cards, goodwill; Gutschein, Kulanz; vale; bon d'achat, geste commercial;
 * buono; estorno; tegoed) — exceptions are decided in `isRefundWord`.
 */
const REFUND_WORDS = new RegExp(
  // Grouped by first letter: the engine tries one group per position instead of every word (measured).
  '[rR](?:e(?:fund|imburs|embols|mbours|vers|nd)|imbors|iaccredit)|[cC]r[ée]dit|[dD]ev(?:ol[uv]|uel)|[aA](?:bon|voir)' +
    '|[eE](?:rstatt|storn)|[gG](?:ut(?:schr|geschr|zuschr|schein)|eld zurück|ift.card|oodwill|este commercial)' +
    '|[mM](?:oney.back|aak(?:en|t)(?=[^.!?\\n]{1,60} terug\\b))|[vV](?:oucher|ale|ergoed)|[kK]ulanz|[tT](?:erug(?:betaal|betal|stort|geboekt)|egoed)' +
    '|[bB](?:ons? d.achat|uon[oi]|(?:etal|oek)(?:en|t)(?=[^.!?\\n]{1,60} terug\\b))' +
    // "send you $45 back", "bekommen Sie 64 € zurück": money coming back
    '|back|zurück' +
    // de separable verbs: "wir schreiben Ihnen 4,80 € gut", "wir zahlen Ihnen 20 € zurück"; nl "we storten € 25 terug"
    '|[sS](?:chreib(?:en|e|t)(?=[^.!?\\n]{1,60} gut\\b)|tort(?:en|t)(?=[^.!?\\n]{1,60} terug\\b))|(?:[zZ]ahl|[üÜ]berweis)(?:en|e|t)(?=[^.!?\\n]{1,60} zurück)',
  'g',
);

/** "credit card" is a means of payment, not a credit. */
const NOT_A_CREDIT = /^[ -](?:card|score|limit|check|report|union|line|history|rating)/i;
/** es/fr/it/pt "tarjeta de crédito", "carte de crédit", "carta di credito", "cartão de crédito": the card again. */
const CARD_BEFORE = /(?:tarjetas?|cartes?|carta|carte|cart[aã]o|cart[õo]es) d[ei] $/i;
const CREDIT_FORMS = new Set([
  'credit', 'credits', 'credited', 'crediting',
  // pt, it: "creditámos 10 €", "le abbiamo creditato 10 €", "un credito di 10 €"
  'creditámos', 'creditamos', 'creditado', 'creditada', 'creditados', 'creditar', 'creditaremos', 'creditaremos', 'credito', 'crediti', 'creditato', 'creditata', 'creditiamo', 'crediteremo',
]);
const CREDITO_FORMS = new Set(['crédito', 'créditos', 'crédit', 'créditer', 'crédité', 'créditée', 'crédités', 'créditons', 'créditerons', 'créditera']);
/** A reversed fee or charge is money given back (en banking usage). */
const REVERSAL_FORMS = new Set(['reverse', 'reversed', 'reverses', 'reversing', 'reversal', 'reversals']);
/** fr "rendre" (give back), not "rendez-vous". */
const RENDRE_FORMS = new Set(['rendre', 'rendons', 'rendrons', 'rendra', 'rendu', 'rendue', 'rend']);
const ABONO_FORMS = new Set(['abono', 'abonos', 'abonar', 'abonamos', 'abonaremos', 'abonado', 'abonada', 'abonará', 'abonarán', 'abonaría']);
/** French "avoir" is the credit note only with an article ("un avoir"); otherwise it is the verb "to have". */
const AVOIR_ARTICLES = new Set(['un', "l'", 'votre', 'cet', "d'un"]);
const NOT_REFUNDABLE_DE = 'erstattungsf';
/** German refund words live inside compounds: Rückerstattung, zurückerstatten, Kontogutschrift. */
const COMPOUND_STEMS = new Set(['erstatt', 'gutschr', 'gutgeschr', 'gutzuschr', 'gutschein', 'kulanz', 'tegoed']);
/** es/pt "vale" is a voucher after an article ("un vale de 15 €"), else the verb ("¿cuánto vale?", "vale, perfecto"). */
const VALE_ARTICLES = new Set(['un', 'um', 'el', 'o', 'su', 'seu', 'este', 'esse', 'del', 'do']);
/** it "buono" is a voucher when it names one ("un buono di 20 €", "buono sconto"), else "good". */
const BUONO_NEXT = /^ (?:di|da|sconto|regalo|acquisto)\b/i;
/** A voucher or gift card that is priced is sold, not given: "the gift card is $45", "der Gutschein kostet 20 €". */
const PRICED_AFTER = /^[ \u00a0]+(?:is|costs?|sells? for|cuesta|kostet|coûte|costa|custa|kost|vale)\b/i;
/** Voucher and gift-card words (refunds phrased as credits unless priced). */
const VOUCHER_STEMS = new Set(['voucher', 'gift card', 'gift-card', 'giftcard', 'gutschein', 'vale', 'buono', 'buoni', "bon d'achat", 'bon d’achat', "bons d'achat", 'tegoed']);

/** "voucher code SAVE10", "Gutscheincode": a discount code to type in, not money given back. */
const CODE_AFTER = /^[ \u00a0-]?(?:code|codes|kode|código|codice)\b/i;
function isDiscountCode(text: string, start: number, end: number): boolean {
  return lowerWord(text, start, end).includes('code') || CODE_AFTER.test(text.slice(end, end + 8));
}
/** nl "tegoed" is also a balance ("uw beltegoed is € 5"): a credit only as a voucher or given ("als tegoed"). */
const TEGOED_GIVEN_BEFORE = new Set(['als', 'een', 'extra', 'uw']);

/** Words that, just before, say "not": "non rimborsabile", "não são reembolsáveis", "niet vergoed". */
const NOT_WORDS = new Set(['no', 'non', 'não', 'niet', 'nicht', 'not']);
const COPULAS = new Set(['è', 'sono', 'é', 'são', 'es', 'son', 'is', 'are', 'worden', 'wordt']);

/**
 * Refund words in `text`, looked for only near `values` (a refund word governs
 * a value at most 60 characters before or 40 after it, see `splitRefunds`;
 * the window is wider by a word's length).
 */
export function scanRefundWords(text: string, values: readonly { readonly start: number; readonly end: number }[]): WordSpan[] {
  const words: WordSpan[] = [];
  let from = 0;
  let i = 0;
  while (i < values.length) {
    // Merge overlapping windows so each character is searched once.
    const windowStart = Math.max(from, values[i].start - 80);
    let windowEnd = Math.min(text.length, values[i].end + 48);
    while (++i < values.length && values[i].start - 80 <= windowEnd) windowEnd = Math.min(text.length, values[i].end + 48);
    // A slice is O(1) in V8 and bounds the search to the window.
    const window = text.slice(windowStart, windowEnd);
    REFUND_WORDS.lastIndex = 0;
    for (let match = REFUND_WORDS.exec(window); match !== null; match = REFUND_WORDS.exec(window)) {
      const at = windowStart + match.index;
      let start = at;
      while (start > 0 && isLetter(text.charCodeAt(start - 1))) start--;
      const end = wordEnd(text, at + match[0].length);
      if (start >= from && isRefundWord(text, match[0].toLowerCase(), start, at, end)) {
        words.push({ start, end });
        REFUND_WORDS.lastIndex = Math.min(window.length, end - windowStart);
      }
      // else the rest of the word may still hold one ("zurück|erstattet")
    }
    from = windowEnd;
  }
  return words;
}

function wordEnd(text: string, at: number): number {
  let end = at;
  while (end < text.length && isLetter(text.charCodeAt(end))) end++;
  return end;
}

// The word and the word before it are read only for the stems that need them: most
// matches are decided by the stem alone (measured, bench/checks-throughput.ts).
function isRefundWord(text: string, stem: string, start: number, at: number, end: number): boolean {
  if (VOUCHER_STEMS.has(stem) && (PRICED_AFTER.test(text.slice(end, end + 16)) || isDiscountCode(text, start, end))) return false;
  if (stem === 'tegoed') {
    const word = lowerWord(text, start, end);
    if (!word.startsWith('tegoedbon') && !(word === 'tegoed' && TEGOED_GIVEN_BEFORE.has(wordBefore(text, start)))) return false;
  }
  if (COMPOUND_STEMS.has(stem)) {
    // "nicht erstattungsfähig": not refundable. A word shorter than that suffix cannot hold it.
    return end - start < NOT_REFUNDABLE_DE.length || !(lowerWord(text, start, end).includes(NOT_REFUNDABLE_DE) && wordBefore(text, start) === 'nicht');
  }
  if (start !== at) return false; // inside another word: "nonrefundable", "accredited"
  switch (stem) {
    case 'credit':
      return CREDIT_FORMS.has(lowerWord(text, start, end)) && !NOT_A_CREDIT.test(text.slice(end, end + 9)) && !CARD_BEFORE.test(text.slice(Math.max(0, start - 12), start));
    case 'crédit':
      return CREDITO_FORMS.has(lowerWord(text, start, end)) && !CARD_BEFORE.test(text.slice(Math.max(0, start - 12), start));
    case 'abon':
      return ABONO_FORMS.has(lowerWord(text, start, end));
    case 'avoir': {
      const word = lowerWord(text, start, end);
      return (word === 'avoir' || word === 'avoirs') && AVOIR_ARTICLES.has(wordBefore(text, start));
    }
    case 'rend':
      return RENDRE_FORMS.has(lowerWord(text, start, end));
    case 'back':
    case 'zurück':
      return end - start === stem.length && backAfterMoney(text, start);
    case 'revers':
      return REVERSAL_FORMS.has(lowerWord(text, start, end));
    case 'refund': {
      if (!lowerWord(text, start, end).startsWith('refundable')) return true;
      const before = wordBefore(text, start);
      return !(before === 'not' || before === 'non' || text.slice(start - 4, start).toLowerCase() === 'non-');
    }
    case 'rembours': {
      if (!lowerWord(text, start, end).startsWith('remboursable')) return true;
      const before = wordBefore(text, start);
      return !(before === 'non' || text.slice(start - 4, start).toLowerCase() === 'non-');
    }
    case 'reembols': {
      const word = lowerWord(text, start, end);
      return !((word.startsWith('reembolsable') || word.startsWith('reembolsáv')) && negated(text, start));
    }
    case 'rimbors':
      return !(lowerWord(text, start, end).startsWith('rimborsabil') && negated(text, start));
    case 'vergoed':
      return !negated(text, start);
    case 'vale':
      return end - start === 4 && VALE_ARTICLES.has(wordBefore(text, start));
    case 'buono':
    case 'buoni':
      return end - start === 5 && BUONO_NEXT.test(text.slice(end, end + 12));
    default:
      return true;
  }
}

/** "no reembolsable", "non è rimborsabile", "não são reembolsáveis", "worden niet vergoed". */
function negated(text: string, start: number): boolean {
  const before = wordBefore(text, start);
  if (NOT_WORDS.has(before)) return true;
  if (!COPULAS.has(before)) return false;
  return NOT_WORDS.has(wordBefore(text, text.lastIndexOf(before, start)));
}

function lowerWord(text: string, start: number, end: number): string {
  return text.slice(start, end).toLowerCase();
}

/** "back" / "zurück" count only right after an amount ("$45 back", "64 € zurück"), not in "call us back". */
function backAfterMoney(text: string, start: number): boolean {
  let i = start - 1;
  while (i > 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 0xa0)) i--;
  const code = text.charCodeAt(i);
  if ((code >= 48 && code <= 57) || code === 0x20ac || code === 36 || code === 0xa3) return true;
  const word = wordBefore(text, start);
  return currencyOf(word) !== null || currencyOf(word.toUpperCase()) !== null;
}

/**
 * The word just before `index` (skipping spaces), lowercased, apostrophes kept
 * ("d'ici", "l'"). Empty at the start of the text.
 */
export function wordBefore(text: string, index: number): string {
  let end = index;
  while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
  let start = end;
  while (start > 0 && isWordChar(text.charCodeAt(start - 1))) start--;
  return start === end ? '' : text.slice(start, end).toLowerCase().replace('\u2019', "'");
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 0xa0 || code === 0x202f || code === 0x2009;
}

function isWordChar(code: number): boolean {
  return isLetter(code) || code === 39 || code === 0x2019;
}
