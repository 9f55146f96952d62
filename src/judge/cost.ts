/** USD per 1M tokens. */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * OpenAI list prices (USD per 1M tokens, standard tier) as published in 2025.
 * Prices change: set `judge.prices` in the config for the model you use; an
 * entry there replaces the one here. Dated snapshot model names match by prefix.
 */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-4.1': { input: 2.0, output: 8.0 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10.0 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
};

export interface TokenCounts {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export interface CostEstimate extends TokenCounts {
  /** Undefined when the model has no price. */
  readonly usd?: number;
}

/** Output tokens assumed for one judgment when none are known yet: a short reasoning and the score. */
export const TYPICAL_JUDGMENT_OUTPUT_TOKENS = 300;

/** The usual rough rate for English and JSON: about four characters per token. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/**
 * Judge spend: an estimate before a call (from the prompt's length, for
 * budgets) and the actual cost after it (from the usage the server reports),
 * accumulated for the judge's stats. No clock, no I/O.
 */
export class CostMeter {
  readonly #prices: PriceTable;
  #inputTokens = 0;
  #outputTokens = 0;
  #usd = 0;
  #unpricedCalls = 0;

  constructor(prices: PriceTable = {}) {
    this.#prices = { ...DEFAULT_PRICES, ...prices };
  }

  /** Exact name first, else the longest priced name it starts with (`gpt-4.1-mini-2025-04-14` → `gpt-4.1-mini`). */
  priceFor(model: string): ModelPrice | undefined {
    const exact = this.#prices[model];
    if (exact) return exact;
    let best: string | undefined;
    for (const name of Object.keys(this.#prices)) {
      if (model.startsWith(name) && (best === undefined || name.length > best.length)) best = name;
    }
    return best === undefined ? undefined : this.#prices[best];
  }

  costUsd(model: string, tokens: TokenCounts): number | undefined {
    const price = this.priceFor(model);
    if (!price) return undefined;
    return (tokens.inputTokens * price.input + tokens.outputTokens * price.output) / 1_000_000;
  }

  /** Before a call: prompt characters / 4, plus the output tokens a judgment usually takes. */
  estimate(model: string, promptChars: number, expectedOutputTokens = TYPICAL_JUDGMENT_OUTPUT_TOKENS): CostEstimate {
    const tokens = { inputTokens: estimateTokens(promptChars), outputTokens: expectedOutputTokens };
    const usd = this.costUsd(model, tokens);
    return usd === undefined ? tokens : { ...tokens, usd };
  }

  /** After a call: adds the reported usage to the totals and returns its cost. */
  record(model: string, tokens: TokenCounts): number | undefined {
    this.#inputTokens += tokens.inputTokens;
    this.#outputTokens += tokens.outputTokens;
    const usd = this.costUsd(model, tokens);
    if (usd === undefined) this.#unpricedCalls++;
    else this.#usd += usd;
    return usd;
  }

  totals(): { inputTokens: number; outputTokens: number; usd: number; unpricedCalls: number } {
    return { inputTokens: this.#inputTokens, outputTokens: this.#outputTokens, usd: this.#usd, unpricedCalls: this.#unpricedCalls };
  }
}
