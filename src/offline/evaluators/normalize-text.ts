/** Case, accents, punctuation and spacing do not matter for a normalized comparison. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}$€£.,%:]+/gu, ' ')
    .replace(/([.,:])(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
