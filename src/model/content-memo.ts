import type { ReadContext } from './decode.ts';

type ReadLimits = Pick<ReadContext, 'maxChars' | 'maxItems'>;

/**
 * What a content attribute string was read as, remembered for the next span that
 * carries the very same string. Agents repeat content verbatim: the system
 * prompt on every chat span of a conversation, and the reply on both the
 * `invoke_agent` span and its `chat` child. Reading the same JSON again costs a
 * parse and a walk; looking it up costs a string hash.
 *
 * Only clean reads are kept (no problem noted), so a malformed value is reported
 * on every span that carries it. Views share what is handed out, which their
 * readonly types already promise nobody changes (freezing every miss cost more
 * than the hits saved).
 */
export class ContentMemo<T> {
  readonly #entries = new Map<string, { readonly maxChars: number; readonly maxItems: number; readonly value: T }>();
  readonly #maxEntries: number;
  readonly #minChars: number;
  readonly #maxChars: number;

  /**
   * Strings shorter than `minChars` are read again rather than hashed and kept; strings longer
   * than `maxChars` are not kept either, so the memo holds at most `maxEntries × maxChars`
   * characters (plus what they were read as).
   */
  constructor(maxEntries: number, minChars: number, maxChars: number) {
    this.#maxEntries = maxEntries;
    this.#minChars = minChars;
    this.#maxChars = maxChars;
  }

  /** What `text` was read as under the same limits, if remembered. */
  get(text: string, limits: ReadLimits): T | undefined {
    if (text.length < this.#minChars || text.length > this.#maxChars) return undefined;
    const entry = this.#entries.get(text);
    return entry !== undefined && entry.maxChars === limits.maxChars && entry.maxItems === limits.maxItems ? entry.value : undefined;
  }

  /** Keeps what `text` was read as; false when the string is outside the bounds and was not kept. */
  set(text: string, limits: ReadLimits, value: T): boolean {
    if (text.length < this.#minChars || text.length > this.#maxChars) return false;
    const entries = this.#entries;
    // Oldest out: a Map iterates in insertion order.
    if (entries.size >= this.#maxEntries) entries.delete(entries.keys().next().value as string);
    entries.set(text, { maxChars: limits.maxChars, maxItems: limits.maxItems, value });
    return true;
  }
}
