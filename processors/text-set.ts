/**
 * A set of strings found by length and then by comparison, never by hash.
 *
 * Why: the texts a conversation de-duplicates are long (tool results, histories) and arrive
 * as fresh strings from every span's decoding, and V8 hashes a string over all of its
 * characters the first time a Set or Map looks it up: ~1.4 µs for an 800-character tool
 * result, measured, against ~0.1 µs to compare it with an equal string. Most lookups find a
 * text the conversation already holds (the history repeats in every chat span), so a hash
 * would be computed only to be thrown away with the string.
 */
export class TextSet {
  /** Texts by length: one text, or several of the same length. */
  readonly #byLength = new Map<number, string | string[]>();

  has(text: string): boolean {
    const held = this.#byLength.get(text.length);
    if (held === undefined) return false;
    return typeof held === 'string' ? held === text : held.includes(text);
  }

  add(text: string): void {
    const length = text.length;
    const held = this.#byLength.get(length);
    if (held === undefined) this.#byLength.set(length, text);
    else if (typeof held === 'string') {
      if (held !== text) this.#byLength.set(length, [held, text]);
    } else if (!held.includes(text)) held.push(text);
  }

  delete(text: string): void {
    const length = text.length;
    const held = this.#byLength.get(length);
    if (held === undefined) return;
    if (typeof held === 'string') {
      if (held === text) this.#byLength.delete(length);
      return;
    }
    const at = held.indexOf(text);
    if (at === -1) return;
    held.splice(at, 1);
    if (held.length === 1) this.#byLength.set(length, held[0]);
  }
}
