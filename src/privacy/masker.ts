import { builtinDetectors, type PiiDetector } from './detectors.ts';
import { foldForMatching } from './fold.ts';

/** An operator-defined pattern, e.g. `{ name: 'CUSTOMER_ID', pattern: 'CUST-\\d{6}' }`. */
export interface CustomPiiPattern {
  /** Placeholder stem: upper-case letters, digits and `_`. */
  readonly name: string;
  /** A JavaScript regular expression source. */
  readonly pattern: string;
  /** Extra flags (`i`, `u`…); `g` is always added. */
  readonly flags?: string;
}

export interface PiiMaskerOptions {
  /** Checked after the built-in kinds, in the order given. */
  readonly patterns?: readonly CustomPiiPattern[];
  /** Built-in kinds to leave unmasked, e.g. `['TAX_ID']`. */
  readonly disable?: readonly string[];
}

export class PiiPatternError extends Error {
  override readonly name = 'PiiPatternError';
}

const STEM = /^[A-Z][A-Z0-9_]{0,31}$/;

interface Span {
  readonly start: number;
  readonly end: number;
  readonly detector: PiiDetector;
  readonly text: string;
  readonly mask: boolean;
}

/**
 * Replaces personal data with placeholders that stay consistent within one
 * session (one conversation): the same e-mail is `<EMAIL_1>` in every message,
 * a second one `<EMAIL_2>`, so a masked transcript still reads as a dialogue.
 * Amounts, clock times and order or case numbers are left as they are: the
 * commitment checks and the reviewers need them.
 */
export class PiiMasker {
  readonly #detectors: readonly PiiDetector[];

  /** @throws PiiPatternError naming the pattern whose name or source is invalid. */
  constructor(options: PiiMaskerOptions = {}) {
    const disabled = new Set(options.disable ?? []);
    const custom = (options.patterns ?? []).map((spec, index) => customDetector(spec, index));
    this.#detectors = [...builtinDetectors.filter((detector) => !disabled.has(detector.kind)), ...custom];
  }

  /** A fresh placeholder numbering, for one conversation. */
  session(options: { maxRemembered?: number } = {}): MaskingSession {
    return new MaskingSession(this.#detectors, options.maxRemembered ?? 10_000);
  }

  /** Masks every text of one conversation with one numbering. */
  maskConversation(texts: readonly string[]): string[] {
    const session = this.session();
    return texts.map((text) => session.mask(text));
  }

  /**
   * The judge's `redact` hook (src/judge `LlmJudgeOptions.redact`): a long-lived
   * session, so a value keeps its placeholder across the strings of a transcript.
   * Bounded: past `maxRemembered` values the numbering starts over.
   */
  redactor(options: { maxRemembered?: number } = {}): (text: string) => string {
    const session = this.session(options);
    return (text) => session.mask(text);
  }

  /** The kinds of personal data found in `text` (for tests and reports), without masking. */
  find(text: string): { kind: string; text: string }[] {
    return findSpans(foldForMatching(text).text, this.#detectors)
      .filter((span) => span.mask)
      .map((span) => ({ kind: span.detector.kind, text: span.text }));
  }
}

export class MaskingSession {
  readonly #detectors: readonly PiiDetector[];
  readonly #maxRemembered: number;
  readonly #placeholders = new Map<string, string>();
  readonly #counters = new Map<string, number>();

  constructor(detectors: readonly PiiDetector[], maxRemembered: number) {
    this.#detectors = detectors;
    this.#maxRemembered = maxRemembered;
  }

  mask(text: string): string {
    if (typeof text !== 'string' || text.length === 0) return text;
    // Matched on the folded text (NFKC, no zero-width characters), masked in the original, whole.
    const folded = foldForMatching(text);
    const spans = findSpans(folded.text, this.#detectors);
    if (spans.length === 0) return text;
    let out = '';
    let at = 0;
    for (const span of spans) {
      if (!span.mask) continue;
      const start = folded.originOf(span.start);
      out += text.slice(at, start) + this.#placeholder(span);
      at = folded.originOf(span.end);
    }
    return out + text.slice(at);
  }

  /** Every string inside a JSON-like value (tool arguments and results), keys included. */
  maskValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.mask(value);
    if (value === null || typeof value !== 'object' || depth > 16) return value;
    if (Array.isArray(value)) return value.map((item) => this.maskValue(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[this.mask(key)] = this.maskValue(item, depth + 1);
    return out;
  }

  /** Placeholders by detector and text as written: the same spelling again skips building its identity. */
  readonly #bySpelling = new Map<PiiDetector, Map<string, string>>();

  #placeholder(span: Span): string {
    let spellings = this.#bySpelling.get(span.detector);
    const spelled = spellings?.get(span.text);
    if (spelled !== undefined) return spelled;
    const placeholder = this.#placeholderOfIdentity(span);
    if (spellings === undefined) this.#bySpelling.set(span.detector, (spellings = new Map()));
    if (spellings.size < this.#maxRemembered) spellings.set(span.text, placeholder);
    return placeholder;
  }

  #placeholderOfIdentity(span: Span): string {
    const identity = `${span.detector.kind}\u0000${span.detector.normalize ? span.detector.normalize(span.text) : span.text}`;
    const known = this.#placeholders.get(identity);
    if (known) return known;
    if (this.#placeholders.size >= this.#maxRemembered) {
      this.#placeholders.clear();
      this.#counters.clear();
      this.#bySpelling.clear();
    }
    const number = (this.#counters.get(span.detector.kind) ?? 0) + 1;
    this.#counters.set(span.detector.kind, number);
    const placeholder = `<${span.detector.kind}_${number}>`;
    this.#placeholders.set(identity, placeholder);
    return placeholder;
  }
}

/**
 * Non-overlapping spans in text order; earlier detectors win overlaps. Linear in the matches: the
 * spans claimed so far are kept in text order and each detector's matches (in text order too) are
 * checked against them with one pointer, then merged in — a match is never compared with every
 * earlier one (that was quadratic: 1 MB of e-mail-like text took 20 s).
 */
function findSpans(text: string, detectors: readonly PiiDetector[]): Span[] {
  let claimed: Span[] = [];
  const present = { '@': text.includes('@'), ':': text.includes(':'), digit: DIGIT.test(text) };
  for (const detector of detectors) {
    if (detector.requires !== undefined && !present[detector.requires]) continue;
    const added: Span[] = [];
    let next = 0;
    const consider = (start: number, end: number): void => {
      if (end <= start) return;
      while (next < claimed.length && claimed[next]!.end <= start) next++;
      if (next < claimed.length && claimed[next]!.start < end) return;
      const matched = text.slice(start, end);
      const accepted = (detector.accept ? detector.accept(matched) : true) && (detector.acceptIn ? detector.acceptIn(text, start, end) : true);
      if (accepted || detector.claimRejected) added.push({ start, end, detector, text: matched, mask: accepted });
    };
    if (detector.find) {
      const found = detector.find(text);
      for (let i = 0; i + 1 < found.length; i += 2) consider(found[i]!, found[i + 1]!);
    } else {
      // exec rather than matchAll: no iterator and no copy of the pattern per detector and text.
      const pattern = detector.pattern;
      pattern.lastIndex = 0;
      for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
        if (match[0].length === 0) pattern.lastIndex++;
        else consider(match.index, match.index + match[0].length);
      }
    }
    if (added.length > 0) claimed = claimed.length === 0 ? added : mergeInOrder(claimed, added);
  }
  return claimed;
}

const DIGIT = /\d/;

function mergeInOrder(a: readonly Span[], b: readonly Span[]): Span[] {
  const merged: Span[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) merged[k++] = a[i].start <= b[j].start ? a[i++] : b[j++];
  while (i < a.length) merged[k++] = a[i++];
  while (j < b.length) merged[k++] = b[j++];
  return merged;
}

function customDetector(spec: CustomPiiPattern, index: number): PiiDetector {
  const where = `privacy.patterns[${index}]`;
  if (typeof spec?.name !== 'string' || !STEM.test(spec.name)) {
    throw new PiiPatternError(`${where}.name: expected upper-case letters, digits and _ (e.g. CUSTOMER_ID), got ${JSON.stringify(spec?.name)}`);
  }
  const flags = [...new Set(`${spec.flags ?? ''}g`)].join('');
  let pattern: RegExp;
  try {
    pattern = new RegExp(spec.pattern, flags);
  } catch (error) {
    throw new PiiPatternError(`${where}.pattern: not a valid regular expression (${(error as Error).message}): ${JSON.stringify(spec.pattern)}`);
  }
  if (pattern.test('')) throw new PiiPatternError(`${where}.pattern: matches the empty string: ${JSON.stringify(spec.pattern)}`);
  return { kind: spec.name, pattern };
}
