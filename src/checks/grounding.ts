import type { Conversation, GroundingSource } from '../model/conversation.ts';
import { currenciesAgree } from './extract/currency.ts';
import { decodeBestEffort, DEFAULT_MAX_ITEMS, textOf } from '../model/decode.ts';
import { MAX_SOURCE_SCANNED_CHARS, readSourceFacts } from './source-facts.ts';
import type { GroundingFactsSink } from './source-facts.ts';
import { DEFAULT_KEY_VOCABULARY, KeyVocabulary } from './source-keys.ts';
import type { SourceKeys } from './source-keys.ts';

/** How a value is supported: stated in a source, or one simple step from stated values (DESIGN.md, "Grounding"). */
export type Support =
  | { readonly step: 'stated' }
  | { readonly step: 'sum' | 'difference' | 'product' | 'percentage' | 'total'; readonly from: string };

/** What the reply adds to a value's support (DESIGN.md, "Grounding"): one per reply and check. */
export interface SupportContext {
  /**
   * Counts the reply itself states ("for two nights … €340"): a grounded price may be multiplied by
   * them. Asked for only when nothing simpler supports a value (reading them costs a pass over the reply).
   */
  readonly replyQuantities?: () => readonly number[];
  /** A total may add up to this many line items of one source; default `DEFAULT_MAX_LINE_ITEMS`. */
  readonly maxLineItems?: number;
}

/** Line items a total may add up by default (config `checks.maxLineItems`). */
export const DEFAULT_MAX_LINE_ITEMS = 4;
/** Partial sums tried per value and source when looking for a total (~1 ms at most). */
const MAX_TOTAL_STEPS = 20_000;
/** Line items of one source searched for a total: its most recent ones (a receipt, a cart). */
const MAX_ITEMS_PER_SOURCE = 24;

const STATED: Support = { step: 'stated' };

/** Kinds of source that ground; anything else (an agent's own text passed by mistake) is skipped. */
const GROUNDING_KINDS: ReadonlySet<string> = new Set(['tool_result', 'system_instructions', 'retrieved_context', 'user_message']);

/** Bounds per conversation: oldest facts go first (Map insertion order). */
const MAX_AMOUNTS = 1 << 16;
const MAX_OPERANDS = 256;
const MAX_OCCURRENCES = 4;

const MINUTES_PER_DAY = 24 * 60;
const TIME_BITSET_WORDS = MINUTES_PER_DAY / 32;

/**
 * The facts a conversation's grounding sources state, read incrementally:
 * sources are append-only, so each `update` reads only the ones not seen yet.
 * If the owner replaced or trimmed the list (bounded memory), it starts over.
 */
export class GroundingIndex implements GroundingFactsSink {
  /** minor units → currencies it was stated in (null: no currency). */
  readonly #amounts = new Map<number, (string | null)[]>();
  /**
   * The clearly-money subset, which one-step derivations may combine: each amount with the
   * distinct facts that state it (a tool result arrives on its tool span and again, re-serialized,
   * in the next chat span's input: the second copy states no new fact; DESIGN.md, "Grounding").
   */
  readonly #operands = new Map<number, OperandFacts>();
  readonly #quantities = new Set<number>();
  readonly #percents = new Set<number>();
  /**
   * Minutes of the day stated, one bit each, allocated with the first time: 180
   * bytes where a byte per minute took 1,440 (outside the JS heap, so it showed
   * as RSS: −60 MiB for 50,000 conversations, bench/processor-overhead.ts).
   */
  #times: Uint32Array | undefined;
  /** Which source is being read, to tell a fact's copies (other sources) from its repetitions (this one). */
  #sourceNumber = 0;
  readonly #keys: KeyVocabulary;
  /** #operands by source (three or more), for totals; dropped whenever an operand is added. */
  #lineItems: (readonly LineItem[])[] | undefined;
  #consumed = 0;
  #lastSource: GroundingSource | undefined;
  #skippedSources = 0;

  /**
   * Reads the sources not read yet. Cheap when nothing is new. An owner bounding
   * memory drops the oldest sources (processors/conversation-memory.ts): what
   * they stated stays known here (it was said in the conversation, and facts are
   * small), and reading resumes after the last source seen. A list that no longer
   * holds that source was replaced, and is read from scratch.
   */
  /** `keys`: what the numbers of structured sources mean by their key (source-keys.ts). */
  constructor(keys: KeyVocabulary = DEFAULT_KEY_VOCABULARY) {
    this.#keys = keys;
  }

  update(sources: readonly GroundingSource[]): this {
    let from = this.#consumed;
    if (from > 0 && sources[from - 1] !== this.#lastSource) {
      from = sources.lastIndexOf(this.#lastSource as GroundingSource) + 1;
      if (from === 0) this.#reset();
    }
    for (let i = from; i < sources.length; i++) this.addSource(sources[i]);
    this.#consumed = sources.length;
    return this;
  }

  /** Reads one source; odd sources (no text, unknown kind) are counted and skipped, never thrown on. */
  addSource(source: GroundingSource): void {
    this.#lastSource = source;
    this.#sourceNumber++;
    if (source === null || typeof source !== 'object' || !GROUNDING_KINDS.has(source.kind)) {
      this.#skippedSources++;
      return;
    }
    const text = textOfSource(source.text);
    if (text === undefined) this.#skippedSources++;
    else if (text.length > 0) readSourceFacts(text, this, this.#keys);
  }

  /** Sources that could not be read (not an object, unknown kind, text neither string nor JSON-able). */
  get skippedSources(): number {
    return this.#skippedSources;
  }

  addAmount(minor: number, currency: string | null, operand: boolean, fact = 0): void {
    remember(this.#amounts, minor, currency, MAX_AMOUNTS);
    if (!(operand && minor > 0)) return;
    this.#lineItems = undefined;
    const facts = this.#operands.get(minor);
    if (facts === undefined) {
      if (this.#operands.size >= MAX_OPERANDS) this.#operands.delete(this.#operands.keys().next().value as number);
      this.#operands.set(minor, { currency, fact, source: this.#sourceNumber });
    } else {
      const known = Array.isArray(facts) ? facts : [facts];
      if (known.length < MAX_OCCURRENCES && isNewFact(known, currency, fact, this.#sourceNumber)) {
        known.push({ currency, fact, source: this.#sourceNumber });
        if (known !== facts) this.#operands.set(minor, known);
      }
    }
  }

  addQuantity(quantity: number): void {
    this.#quantities.add(quantity);
  }

  addPercent(percent: number): void {
    if (percent > 0 && percent <= 100) this.#percents.add(percent);
  }

  addTime(minutes: number): void {
    if (!(minutes >= 0 && minutes < MINUTES_PER_DAY)) return;
    const times = (this.#times ??= new Uint32Array(TIME_BITSET_WORDS));
    times[minutes >>> 5] |= 1 << (minutes & 31);
  }

  hasTime(minutes: number, alternate = -1): boolean {
    return this.#hasMinute(minutes) || (alternate >= 0 && this.#hasMinute(alternate));
  }

  #hasMinute(minutes: number): boolean {
    const times = this.#times;
    return times !== undefined && minutes >= 0 && minutes < MINUTES_PER_DAY && ((times[minutes >>> 5] >>> (minutes & 31)) & 1) === 1;
  }

  hasPercent(percent: number): boolean {
    return this.#percents.has(percent);
  }

  /**
   * How an amount is supported, or undefined when it is not. `wholeUnits`: the reply writes the value
   * in whole units ("about $4"), so a computed value (a percentage) may be rounded to whole units
   * as well as to the minor unit — never looser.
   */
  supportOf(minor: number, currency: string | null, context?: SupportContext, wholeUnits = false): Support | undefined {
    if (agrees(this.#amounts.get(minor), currency)) return STATED;
    if (minor <= 0) return undefined; // "$0" is stated or not at all, never a - a
    return (
      this.#derive(minor, currency, wholeUnits && minor % 100 === 0) ??
      (context?.replyQuantities === undefined || !this.#hasMultiple(minor, currency) ? undefined : this.#replyProduct(minor, currency, context.replyQuantities())) ??
      this.#total(minor, currency, context?.maxLineItems ?? DEFAULT_MAX_LINE_ITEMS)
    );
  }

  // One step only: two operands, or an operand and a quantity or a percentage.
  #derive(target: number, currency: string | null, whole: boolean): Support | undefined {
    for (const [a, facts] of this.#operands) {
      if (!agreesFact(facts, currency)) continue;
      const b = target - a;
      const bFacts = b > 0 ? this.#operands.get(b) : undefined;
      if (bFacts !== undefined && agreesFact(bFacts, currency) && (b !== a || Array.isArray(bFacts))) {
        return { step: 'sum', from: `${money(a)} + ${money(b)}` };
      }
      if (agreesFact(this.#operands.get(a - target), currency)) {
        return { step: 'difference', from: `${money(a)} - ${money(a - target)}` };
      }
      for (const quantity of this.#quantities) {
        if (a * quantity === target) return { step: 'product', from: `${money(a)} × ${quantity}` };
      }
      for (const percent of this.#percents) {
        // Rounded to the minor unit, and to whole units when the reply writes whole units.
        const exact = (a * percent) / 100;
        const share = Math.round(exact);
        if (share === target || (whole && roundsToWhole(exact, target))) return { step: 'percentage', from: `${percent}% of ${money(a)}` };
        if (a - share === target || (whole && roundsToWhole(a - exact, target))) return { step: 'percentage', from: `${money(a)} - ${percent}%` };
        if (a + share === target || (whole && roundsToWhole(a + exact, target))) return { step: 'percentage', from: `${money(a)} + ${percent}%` };
      }
    }
    return undefined;
  }

  /**
   * Whether some operand is a whole fraction of the target (2 to 999 times it): only then can a count
   * of the reply ground it, so the reply is read for counts only then (measured: reading them for
   * every unsupported value cost a tenth of the checks' time on number-dense replies).
   */
  #hasMultiple(target: number, currency: string | null): boolean {
    for (const [a, facts] of this.#operands) {
      if (target % a === 0 && target >= 2 * a && target <= 999 * a && agreesFact(facts, currency)) return true;
    }
    return false;
  }

  /** A grounded amount × a count the reply itself states. */
  #replyProduct(target: number, currency: string | null, quantities: readonly number[]): Support | undefined {
    if (quantities.length === 0) return undefined;
    for (const quantity of quantities) {
      if (target % quantity !== 0) continue;
      const a = target / quantity;
      if (agreesFact(this.#operands.get(a), currency)) return { step: 'product', from: `${money(a)} × ${quantity} (a count the reply states)` };
    }
    return undefined;
  }

  /**
   * A total of three to `maxItems` line items of one source (a cart, a receipt: two items are a
   * sum, above). Searched only for a value nothing else supports, over at most
   * MAX_ITEMS_PER_SOURCE items of each source, ascending with pruning: at most C(24, 4) sums.
   */
  #total(target: number, currency: string | null, maxItems: number): Support | undefined {
    if (maxItems < 3) return undefined;
    for (const items of this.#itemsBySource()) {
      // Bounds first: most sources cannot reach the target, or overshoot it with their three smallest items.
      if (items.length < 3 || items[0].minor + items[1].minor + items[2].minor > target) continue;
      let largest = 0;
      for (let i = items.length - 1, n = 0; i >= 0 && n < maxItems; i--, n++) largest += items[i].minor;
      if (largest < target) continue;
      const chosen: number[] = [];
      let steps = 0;
      const search = (from: number, left: number): boolean => {
        if (chosen.length >= 3 && left === 0) return true;
        // Bounded whatever a source holds (24 small amounts and 12 items would be millions of sums): the span path never stalls.
        if (chosen.length === maxItems || ++steps > MAX_TOTAL_STEPS) return false;
        for (let i = from; i < items.length && items[i].minor <= left; i++) {
          if (i > from && items[i].minor === items[i - 1].minor && items[i].currency === items[i - 1].currency) continue; // the same choice again
          if (!currenciesAgree(items[i].currency, currency)) continue;
          chosen.push(items[i].minor);
          if (search(i + 1, left - items[i].minor)) return true;
          chosen.pop();
        }
        return false;
      };
      if (search(0, target)) return { step: 'total', from: chosen.map(money).join(' + ') };
    }
    return undefined;
  }

  /** Operand facts of each source, smallest first, built when a total is first looked for. */
  #itemsBySource(): readonly (readonly LineItem[])[] {
    if (this.#lineItems !== undefined) return this.#lineItems;
    const bySource = new Map<number, LineItem[]>();
    for (const [minor, facts] of this.#operands) {
      for (const fact of Array.isArray(facts) ? facts : [facts]) {
        let items = bySource.get(fact.source);
        if (items === undefined) bySource.set(fact.source, (items = []));
        if (items.length < MAX_ITEMS_PER_SOURCE) items.push({ minor, currency: fact.currency });
      }
    }
    const lists = [...bySource.values()].filter((items) => items.length >= 3);
    for (const items of lists) items.sort((x, y) => x.minor - y.minor);
    this.#lineItems = lists;
    return lists;
  }

  #reset(): void {
    this.#amounts.clear();
    this.#operands.clear();
    this.#lineItems = undefined;
    this.#quantities.clear();
    this.#percents.clear();
    this.#times = undefined;
    this.#consumed = 0;
    this.#skippedSources = 0;
    this.#lastSource = undefined;
  }
}

/**
 * A cache of grounding indexes, one per conversation, reading sources with `sourceKeys` (config
 * `checks.sourceKeys`): the checks of one configuration share it, so each conversation's sources
 * are read once. Held weakly: an index lives as long as the conversation object its owner keeps.
 */
export function groundingIndexesWith(sourceKeys?: SourceKeys): (conversation: Conversation) => GroundingIndex {
  const keys = sourceKeys === undefined ? DEFAULT_KEY_VOCABULARY : new KeyVocabulary(sourceKeys);
  const indexes = new WeakMap<Conversation, GroundingIndex>();
  return (conversation) => {
    let index = indexes.get(conversation);
    if (index === undefined) {
      index = new GroundingIndex(keys);
      indexes.set(conversation, index);
    }
    const sources = conversation.sources;
    return index.update(Array.isArray(sources) ? sources : []);
  };
}

/** The grounding index of a conversation with the built-in key vocabulary, brought up to date with its sources. */
export const groundingIndexFor: (conversation: Conversation) => GroundingIndex = groundingIndexesWith();

function remember(map: Map<number, (string | null)[]>, minor: number, currency: string | null, max: number): void {
  const seen = map.get(minor);
  if (seen === undefined) {
    if (map.size >= max) map.delete(map.keys().next().value as number);
    map.set(minor, [currency]);
  } else if (seen.length < MAX_OCCURRENCES) {
    seen.push(currency);
  }
}

interface LineItem {
  readonly minor: number;
  readonly currency: string | null;
}

/** `exact` (minor units, unrounded) rounded to whole units is `target`. */
function roundsToWhole(exact: number, target: number): boolean {
  return Math.round(exact / 100) * 100 === target;
}

/** An operand amount as one fact states it: its currency, what the source calls it, and which source. */
/**
 * One fact, or (rarely) several: most amounts are stated once. One object where an array of one took
 * two, and names as hashes rather than strings, brought the heap per open conversation from 3,494
 * bytes back to 3,258 (bench/processor-overhead.ts; 3,174 before facts had names).
 */
type OperandFacts = OperandFact | OperandFact[];

interface OperandFact {
  readonly currency: string | null;
  /** The JSON key or the word before the amount, hashed (source-facts.ts `nameHash`); 0 when none. */
  readonly fact: number;
  readonly source: number;
}

/**
 * Whether one more occurrence of an amount, named `fact` in source `source`, is a fact not known
 * yet. Within a source every occurrence is a fact of its own (two line items of 6.00); another
 * source holding the same named amount is a copy of it (the result on its tool span, and again in
 * the chat span's input). So the k-th occurrence in this source is new unless some other source
 * already held k of them. At most MAX_OCCURRENCES facts per amount: a few comparisons.
 */
function isNewFact(facts: readonly OperandFact[], currency: string | null, fact: number, source: number): boolean {
  let inThisSource = 1;
  for (const known of facts) if (known.source === source && known.fact === fact && known.currency === currency) inThisSource++;
  for (const known of facts) {
    if (known.source === source || known.fact !== fact || known.currency !== currency) continue;
    let inThatSource = 0;
    for (const other of facts) if (other.source === known.source && other.fact === fact && other.currency === currency) inThatSource++;
    if (inThatSource >= inThisSource) return false;
  }
  return true;
}

function agreesFact(facts: OperandFacts | undefined, currency: string | null): boolean {
  if (facts === undefined) return false;
  if (!Array.isArray(facts)) return currenciesAgree(facts.currency, currency);
  for (const stated of facts) if (currenciesAgree(stated.currency, currency)) return true;
  return false;
}

function agrees(currencies: readonly (string | null)[] | undefined, currency: string | null): boolean {
  if (currencies === undefined) return false;
  for (const stated of currencies) if (currenciesAgree(stated, currency)) return true;
  return false;
}

/** `(minor / 100).toFixed(2)`, which it equals for whole minor units below 10^15, without the float formatting. */
function money(minor: number): string {
  if (!Number.isSafeInteger(minor) || minor < 0 || minor >= 1e15) return (minor / 100).toFixed(2);
  const cents = minor % 100;
  return `${(minor - cents) / 100}.${cents < 10 ? '0' : ''}${cents}`;
}

/** Source text as given, or compact JSON when a caller passed the structured value. */
function textOfSource(text: unknown): string | undefined {
  if (typeof text === 'string') return isJsonStringLiteral(text) ? unwrappedJson(text) : text;
  if (text === null || text === undefined) return undefined;
  try {
    return JSON.stringify(text) ?? undefined;
  } catch {
    return undefined;
  }
}

/** A source that is a JSON string literal (`"{\\"fee\\": 12}"`): how some instrumentations record a tool's JSON output. */
function isJsonStringLiteral(text: string): boolean {
  return text.length >= 2 && text.charCodeAt(0) === 0x22 && text.charCodeAt(text.length - 1) === 0x22;
}

/**
 * Its content, decoded as tool results are (model/decode.ts: JSON in a JSON string, bounded), so
 * its facts keep their keys whichever reader handed it over — escaped, `"pct": 12` read as a bare
 * 12 and the currency field went unseen. Text that only looks like a quoted string stays as it is.
 */
function unwrappedJson(text: string): string {
  const decoded = decodeBestEffort('source', text, { problems: [], maxChars: MAX_SOURCE_SCANNED_CHARS, maxItems: DEFAULT_MAX_ITEMS });
  return typeof decoded === 'string' ? decoded : textOf(decoded);
}
