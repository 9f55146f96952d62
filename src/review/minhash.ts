/**
 * MinHash signatures over word shingles (Broder 1997): the share of equal
 * positions in two signatures estimates the Jaccard similarity of their
 * shingle sets. Pure and deterministic (fixed seeds), so coverage reports are
 * reproducible.
 */


export function shingles(text: string, size = 3): Set<string> {
  const words = text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  const out = new Set<string>();
  if (words.length === 0) return out;
  if (words.length <= size) out.add(words.join(' '));
  for (let index = 0; index + size <= words.length; index++) out.add(words.slice(index, index + size).join(' '));
  return out;
}

/** FNV-1a 32-bit. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** murmur3's 32-bit finalizer: a good avalanche, so `fmix(x ^ seedᵢ)` acts as one independent permutation per seed. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class MinHasher {
  readonly permutations: number;
  readonly #seeds: Uint32Array;

  constructor(permutations = 128, seed = 0x9e3779b9) {
    this.permutations = permutations;
    this.#seeds = new Uint32Array(permutations);
    for (let index = 0; index < permutations; index++) this.#seeds[index] = fmix32(seed + Math.imul(index + 1, 0x9e3779b9));
  }

  signature(text: string, shingleSize = 3): Uint32Array {
    const signature = new Uint32Array(this.permutations).fill(0xffffffff);
    for (const shingle of shingles(text, shingleSize)) {
      const x = fnv1a(shingle);
      for (let index = 0; index < this.permutations; index++) {
        const value = fmix32(x ^ this.#seeds[index]!);
        if (value < signature[index]!) signature[index] = value;
      }
    }
    return signature;
  }
}

export function estimatedJaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) throw new RangeError(`signatures differ in length: ${a.length} vs ${b.length}`);
  let equal = 0;
  for (let index = 0; index < a.length; index++) if (a[index] === b[index]) equal++;
  return equal / a.length;
}

export function exactJaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}
