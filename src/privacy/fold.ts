/**
 * The text the detectors read: NFKC-folded (full-width digits and letters to ASCII, no-break and
 * other spaces to a plain space, ligatures apart) with zero-width characters removed, so
 * `４１１１ １１１１…` and `ana​@example.com` (a zero-width space inside) match like their plain
 * spellings. Each folded character remembers where it came from, so a match is masked in the
 * original text, whole: nothing of the value is left beside the placeholder.
 */
export interface FoldedText {
  readonly text: string;
  /** Start in the original text of the folded character at `index` (`index === text.length`: the original's length). */
  originOf(index: number): number;
}

/** Zero-width space, non-joiner, joiner, word joiner, invisible operators, BOM, soft hyphen. */
const INVISIBLE = /[\u200B-\u200D\u2060-\u2064\uFEFF\u00AD]/;
/** What NFKC or the invisible list may change lies outside printable ASCII. */
const NON_ASCII = /[^\x20-\x7E\t\n\r]/g;
/** NFKC of one character, remembered: a conversation repeats the same few (€, é, no-break space). */
const folds = new Map<string, string>();
const MAX_REMEMBERED_FOLDS = 4_096;

function foldChar(char: string): string {
  let folded = folds.get(char);
  if (folded === undefined) {
    folded = INVISIBLE.test(char) ? '' : char.normalize('NFKC');
    if (folds.size < MAX_REMEMBERED_FOLDS) folds.set(char, folded);
  }
  return folded;
}

/**
 * Folds in slices: printable ASCII is copied as it is, each other character replaced by its fold.
 * Most folds keep the length (é, €, a full-width digit, a no-break space), so positions map one to
 * one; where a fold changes the length (a ligature, a removed zero-width character) the shift is
 * recorded, and `originOf` adds the shifts before a position (binary search, few entries).
 */
export function foldForMatching(text: string): FoldedText {
  NON_ASCII.lastIndex = 0;
  if (!NON_ASCII.test(text)) return { text, originOf: (index) => Math.min(index, text.length) };
  NON_ASCII.lastIndex = 0;
  let folded = '';
  let copiedTo = 0;
  // Where the folded text's offsets stop matching the original's: from folded index `at[i]` on, add `shift[i]`.
  const at: number[] = [];
  const shift: number[] = [];
  let delta = 0;
  for (let match = NON_ASCII.exec(text); match !== null; match = NON_ASCII.exec(text)) {
    let start = match.index;
    // A surrogate pair is one character.
    const code = text.charCodeAt(start);
    const width = code >= 0xd800 && code <= 0xdbff && start + 1 < text.length ? 2 : 1;
    const char = text.slice(start, start + width);
    if (width === 2) NON_ASCII.lastIndex = start + 2;
    const replacement = foldChar(char);
    folded += text.slice(copiedTo, start) + replacement;
    copiedTo = start + width;
    if (replacement.length !== width) {
      delta += width - replacement.length;
      // Characters of an expansion all map to the original character's start.
      at.push(folded.length);
      shift.push(delta);
    }
    start += width;
  }
  folded += text.slice(copiedTo);
  if (at.length === 0) return { text: folded, originOf: (index) => Math.min(index, text.length) };
  return {
    text: folded,
    originOf(index) {
      let low = 0;
      let high = at.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (at[middle]! <= index) low = middle + 1;
        else high = middle;
      }
      return Math.min(text.length, index + (low === 0 ? 0 : shift[low - 1]!));
    },
  };
}
