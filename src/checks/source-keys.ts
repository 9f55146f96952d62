/**
 * What a number in a structured source means, by its key (DESIGN.md, "Grounding"): an identifier
 * (never an amount), minor units, a percentage, money, a rate or discount (a percentage or an
 * amount: the key does not say which), an hour of the day (`"start_hour": 14` is 14:00), a count (a quantity, never an amount: `"floor": 12`), or
 * neutral (an amount that grounds a value stated as it is, not an operand of a derivation unless
 * it has a fraction or its source a currency).
 */
import { CheckInputError } from './check-input-error.ts';

export type KeyMeaning = 'identifier' | 'minor' | 'percent' | 'money' | 'percent-or-money' | 'hour' | 'count' | 'neutral';

/** Key words a team adds to the built-in ones (config `checks.sourceKeys`); each is matched case-insensitively inside a key. */
export interface SourceKeys {
  readonly money?: readonly string[];
  readonly percent?: readonly string[];
  /** Whole keys, or a key's last `_`-separated part (`"voucher_code"` for `voucher_code` and `gift_voucher_code`). */
  readonly identifier?: readonly string[];
  /** Keys that count or rank things (`seats`, `floor`): quantities, never amounts. */
  readonly count?: readonly string[];
  /** Keys whose numbers mean nothing by their name (`rate_limit`), whatever a built-in word says. */
  readonly neutral?: readonly string[];
}

const MINOR_KEY = /cents|_minor|minor_?units/i;
const PERCENT_KEY = /pct|percent|porcentaje|prozent|pourcentage/i;
/** A rate or a discount is a percentage (`"discount": 10`) as often as an amount (`"nightly_rate": 170`). */
const PERCENT_OR_MONEY_KEY = /rate|discount|descuento|rabatt|remise/i;
/** An hour of the day as a number: `"hour": 14`, `"start_hour": 9`, `"horaInicio": 10`, `"stunde": 8`. */
const HOUR_KEY = /(?:^|_)(?:hour|hora|heure|ora|uur|stunde|uhrzeit)$|(?:^|_)(?:start|end|open|close|opens|closes)_?hour$|[a-z]Hour$|^hora[A-Z]/;
/** Counts, sizes and ranks: what a price may be multiplied by, never a price ("floor": 12, "nights": 2). */
const COUNT_KEY =
  /floor|beds?$|nights?$|rooms?$|guests?$|people|persons|adults|children|items?_?count|qty|quantity|count$|^num_|number_of|seats?$|pieces|units?$|stock|rating|stars|score|level|(?:^|_)age$|noches|personas|huéspedes|cantidad|planta|piso|nächte|personen|anzahl$|menge|etage|stockwerk|nuits|personnes|quantité|étage/i;
const MONEY_KEY =
  /price|amount|total|cost|fee|[a-z]_?value|charge|balance|subtotal|tax|refund|credit|deposit|fare|paid|due|sum|shipping|spen[dt]|precio|importe|monto|coste|tarifa|preis|betrag|summe|geb[üu]hr|kosten|prix|montant|tarif|frais|co[ûu]t/i;
/** Identifiers are no amounts: `"order": "4599"`, `"transaction_id": 8812`. */
const ID_KEY =
  /(?:^|_)(?:id|order|order_?number|ticket|case|ref|reference|phone|telephone|tel|tracking|account|iban|sku|zip|postal_?code|pedido|orden|bestellung|commande|numero|nummer|dossier)$/i;
const CAMEL_ID_KEY = /[a-z]Id$/;

const MAX_KEY_MEANINGS = 1024;

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A list of key words, checked: the API is also called from JavaScript, without the config's validation. */
function wordsOf(field: keyof SourceKeys, words: unknown): string[] {
  if (words === undefined) return [];
  if (!Array.isArray(words)) throw new CheckInputError(`sourceKeys.${field}`, words, 'a list of key words');
  return words.map((word, index) => {
    if (typeof word !== 'string') throw new CheckInputError(`sourceKeys.${field}[${index}]`, word, 'a string');
    return word.trim();
  }).filter((word) => word.length > 0);
}

function anyOf(field: keyof SourceKeys, words: unknown): RegExp | undefined {
  const usable = wordsOf(field, words);
  return usable.length === 0 ? undefined : new RegExp(usable.map(escape).join('|'), 'i');
}

/**
 * The key vocabulary of one configuration. Tool results repeat their keys (a tool's schema is
 * fixed), so what a key means is remembered rather than matched against the patterns for every
 * number (measured: a third of reading a JSON number); the memo is bounded and starts over when full.
 */
export class KeyVocabulary {
  readonly #neutral: RegExp | undefined;
  readonly #identifier: RegExp | undefined;
  readonly #percent: RegExp | undefined;
  readonly #money: RegExp | undefined;
  readonly #count: RegExp | undefined;
  readonly #meanings = new Map<string, KeyMeaning>();

  /** @throws CheckInputError naming the field when `extra` is not key-word lists. */
  constructor(extra: SourceKeys = {}) {
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) throw new CheckInputError('sourceKeys', extra, 'an object of key-word lists');
    this.#neutral = anyOf('neutral', extra.neutral);
    const identifiers = wordsOf('identifier', extra.identifier);
    this.#identifier = identifiers.length === 0 ? undefined : new RegExp(`(?:^|_)(?:${identifiers.map(escape).join('|')})$`, 'i');
    this.#percent = anyOf('percent', extra.percent);
    this.#money = anyOf('money', extra.money);
    this.#count = anyOf('count', extra.count);
  }

  meaningOf(key: string): KeyMeaning {
    let meaning = this.#meanings.get(key);
    if (meaning === undefined) {
      meaning = this.#classify(key);
      if (this.#meanings.size >= MAX_KEY_MEANINGS) this.#meanings.clear();
      this.#meanings.set(key, meaning);
    }
    return meaning;
  }

  #classify(key: string): KeyMeaning {
    // A team's own words first: they name what the built-in words get wrong for their tools.
    if (this.#neutral?.test(key)) return 'neutral';
    if (this.#identifier?.test(key)) return 'identifier';
    if (this.#percent?.test(key)) return 'percent';
    if (this.#money?.test(key)) return 'money';
    if (this.#count?.test(key)) return 'count';
    if (ID_KEY.test(key) || CAMEL_ID_KEY.test(key)) return 'identifier';
    if (MINOR_KEY.test(key)) return 'minor';
    if (PERCENT_KEY.test(key)) return 'percent';
    if (PERCENT_OR_MONEY_KEY.test(key)) return 'percent-or-money';
    if (HOUR_KEY.test(key)) return 'hour';
    if (MONEY_KEY.test(key)) return 'money';
    return COUNT_KEY.test(key) ? 'count' : 'neutral';
  }
}

export const DEFAULT_KEY_VOCABULARY = new KeyVocabulary();
