import { messageText } from '../model/messages.ts';
import type { SpanView } from '../model/span-view.ts';
import type { ModelPrice } from './settings.ts';

const MAX_CACHED_NAMES = 1024;

/** Prices by model name; a dated snapshot (`gpt-4.1-mini-2025-04-14`) takes its longest listed prefix. */
export class PriceTable {
  readonly #prices: ReadonlyMap<string, ModelPrice>;
  readonly #resolved = new Map<string, ModelPrice | null>();

  constructor(prices: Readonly<Record<string, ModelPrice>>) {
    this.#prices = new Map(Object.entries(prices));
  }

  priceOf(model: string): ModelPrice | undefined {
    const cached = this.#resolved.get(model);
    if (cached !== undefined) return cached ?? undefined;
    let best: string | undefined;
    for (const name of this.#prices.keys()) {
      if (model.startsWith(name) && (best === undefined || name.length > best.length)) best = name;
    }
    const price = best === undefined ? undefined : this.#prices.get(best);
    // Model names come from spans: bound the cache rather than trust their cardinality.
    if (this.#resolved.size < MAX_CACHED_NAMES) this.#resolved.set(model, price ?? null);
    return price;
  }

  /** USD for a number of input and output tokens. */
  cost(price: ModelPrice, inputTokens: number, outputTokens: number): number {
    return (inputTokens * price.input + outputTokens * price.output) / 1e6;
  }
}

export interface InferenceCost {
  readonly usd: number;
  /** Some span had token usage but no known price: the share target under-counts. */
  readonly unpriced: boolean;
}

/**
 * What the turn's model calls cost: gen_ai.usage.* × the model's price.
 * Chat and embedding spans carry the calls; an agent span may repeat their sum,
 * so it is only read when no call span reports usage.
 */
export function turnInferenceCost(spans: readonly SpanView[], table: PriceTable): InferenceCost {
  let callsReportUsage = false;
  for (const view of spans) if (isCall(view) && hasUsage(view)) callsReportUsage = true;
  let usd = 0;
  let unpriced = false;
  for (const view of spans) {
    if (!hasUsage(view) || (callsReportUsage && !isCall(view))) continue;
    const model = view.responseModel ?? view.requestModel;
    const price = model === undefined ? undefined : table.priceOf(model);
    if (price === undefined) unpriced = true;
    else usd += table.cost(price, view.usage.inputTokens ?? 0, view.usage.outputTokens ?? 0);
  }
  return { usd, unpriced };
}

function isCall(view: SpanView): boolean {
  return view.operation === 'chat' || view.operation === 'embeddings';
}

function hasUsage(view: SpanView): boolean {
  return (view.usage.inputTokens ?? 0) + (view.usage.outputTokens ?? 0) > 0;
}

/**
 * Characters of conversation text in the turn, when the caller did not say:
 * the largest span (a chat call's input already repeats the history), counting
 * instructions, input and output message text.
 */
export function turnTextChars(spans: readonly SpanView[]): number {
  let largest = 0;
  for (const view of spans) {
    let chars = 0;
    for (const text of view.systemInstructions) chars += text.length;
    for (const message of view.inputMessages) chars += messageText(message).length;
    for (const message of view.outputMessages) chars += messageText(message).length;
    if (chars > largest) largest = chars;
  }
  return largest;
}

export interface JudgeCostModel {
  readonly price: ModelPrice;
  /** Rubric and instructions added to the conversation text, tokens. */
  readonly overheadTokens: number;
  /** Output tokens per call; the judge caps its output at this, so the estimate bounds the actual cost. */
  readonly outputTokens: number;
}

/** Pre-call estimate: ~4 characters per token of English text (OpenAI's rule of thumb) plus overhead. */
export function estimateJudgeCost(textChars: number, model: JudgeCostModel): number {
  const inputTokens = Math.ceil(Math.max(0, textChars) / 4) + model.overheadTokens;
  return (inputTokens * model.price.input + model.outputTokens * model.price.output) / 1e6;
}
