import { createHmac, randomBytes } from 'node:crypto';
import { quote } from '../src/checks/commitment-result.ts';
import type { EvaluationDetails, EvaluationResult } from '../src/model/index.ts';
import { PiiMasker } from '../src/privacy/index.ts';
import type { TracejudgeConfig } from '../src/config/index.ts';

/** Conversation ids remembered (hashed ↔ original) for the lookups the online stage makes; the oldest are forgotten. */
const MAX_REMEMBERED_IDS = 50_000;
const HASHED_PREFIX = 'pii-';
const BUILT_IN_COMMITMENTS: ReadonlySet<string> = new Set(['commitment.price', 'commitment.time', 'commitment.refund']);

/**
 * The one masking boundary for what tracejudge writes about a conversation (DESIGN.md,
 * "Non-negotiables"): results (explanations, their quotes of the reply, details such as
 * `ungrounded_values`) and conversation ids, before any sink, span event or log event sees them.
 * The span's own attributes are the app's data and are left as they are.
 *
 * - An explanation's quote of the reply is cut from the reply already masked, so a cut never
 *   leaves half a card number or IBAN behind (a fragment no longer matches its pattern).
 * - A conversation id that carries personal data (an app keying conversations by e-mail) becomes
 *   `pii-<keyed hash>`: the same id always gives the same value, so a conversation's rows stay
 *   together; the key is `privacy.idKeyEnv`'s variable, or one drawn per process (then hashes are
 *   stable only within it). The original is kept in memory only, bounded, for the online stage.
 */
const byPrivacySection = new WeakMap<object, OutputMasking>();

export class OutputMasking {
  /**
   * One per config (its `privacy` section): the pipeline and the online stage built from the same
   * config share it, so a conversation's id hashes alike in check and judge results.
   */
  static forConfig(config: TracejudgeConfig, env: NodeJS.ProcessEnv = process.env): OutputMasking {
    let masking = byPrivacySection.get(config.privacy);
    if (masking === undefined) {
      masking = new OutputMasking(new PiiMasker(config.privacy), env[config.privacy.idKeyEnv]);
      byPrivacySection.set(config.privacy, masking);
    }
    return masking;
  }

  readonly #masker: PiiMasker;
  readonly #key: Buffer;
  readonly #hashed = new Map<string, string>();
  readonly #original = new Map<string, string>();

  constructor(masker: PiiMasker, key?: string) {
    this.#masker = masker;
    this.#key = key ? Buffer.from(key, 'utf8') : randomBytes(32);
  }

  /** Cohort values as written (store rows, metric labels): each as `conversationId` writes ids, so cohorts stay apart and together. */
  cohort(cohort: Readonly<Record<string, string>>): Record<string, string> {
    const written: Record<string, string> = {};
    for (const [name, value] of Object.entries(cohort)) written[name] = this.conversationId(value);
    return written;
  }

  /** The id as tracejudge writes it: itself, or its keyed hash when it holds personal data. */
  conversationId(id: string): string {
    const known = this.#hashed.get(id);
    if (known !== undefined) return known;
    const written = this.#masker.find(id).length === 0 ? id : `${HASHED_PREFIX}${createHmac('sha256', this.#key).update(id).digest('hex').slice(0, 24)}`;
    if (this.#hashed.size >= MAX_REMEMBERED_IDS) {
      this.#hashed.clear();
      this.#original.clear();
    }
    this.#hashed.set(id, written);
    if (written !== id) this.#original.set(written, id);
    return written;
  }

  /** The id a written (hashed) one stands for, while it is remembered. */
  originalConversationId(written: string): string | undefined {
    return written.startsWith(HASHED_PREFIX) ? this.#original.get(written) : written;
  }

  /**
   * Results as they may be written: every explanation and detail string masked with one
   * numbering, and the quotes of a commitment check's explanation re-cut from the masked reply.
   */
  results(results: readonly EvaluationResult[], replyText?: string): EvaluationResult[] {
    const session = this.#masker.session();
    // The reply is masked only when a quote of it is to be cut again (a failed commitment): most replies pass.
    let maskedReply: string | undefined;
    return results.map((result) => {
      // A built-in commitment check that passed wrote its own words and the reply's amounts and
      // times (kept by the masker anyway): nothing to mask, and skipping it keeps the inline path
      // cheap (measured: masking those explanations took a passing chat span from 8 to 20 µs).
      if (result.label === 'pass' && result.source === 'deterministic' && BUILT_IN_COMMITMENTS.has(result.name)) return result;
      let explanation = result.explanation;
      if (explanation !== undefined) {
        if (replyText !== undefined && result.label === 'fail' && Array.isArray(result.details?.ungrounded_values)) {
          maskedReply ??= session.mask(replyText);
          explanation = requote(explanation, result.details!.ungrounded_values as readonly unknown[], maskedReply, (text) => session.mask(text));
        } else {
          explanation = session.mask(explanation);
        }
      }
      const details = result.details === undefined ? undefined : (session.maskValue(result.details) as EvaluationDetails);
      return {
        ...result,
        ...(explanation !== undefined && { explanation }),
        ...(details !== undefined && { details }),
      };
    });
  }
}

/**
 * `ungrounded <noun> "<value>" in "<quote>"` pieces (commitment-result.ts) with each quote cut
 * again from the masked reply around the value; a value that is itself masked there has its quote
 * withheld rather than cut from the original. What is around the pieces is masked as text.
 */
function requote(explanation: string, values: readonly unknown[], maskedReply: string, mask: (text: string) => string): string {
  let out = '';
  let rest = explanation;
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const opener = `"${value}" in "`;
    const at = rest.indexOf(opener);
    if (at === -1) continue;
    const quoteStart = at + opener.length;
    const next = rest.indexOf('"; ', quoteStart);
    const quoteEnd = next === -1 ? (rest.endsWith('"') ? rest.length - 1 : rest.length) : next;
    const position = maskedReply.indexOf(value);
    const recut = position === -1 ? '(quote withheld: it held personal data)' : quote(maskedReply, position, position + value.length);
    out += `${mask(rest.slice(0, at))}"${mask(value)}" in "${recut}`;
    rest = rest.slice(quoteEnd);
  }
  return out + mask(rest);
}
