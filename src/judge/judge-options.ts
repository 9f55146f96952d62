import type { OpenAI } from 'openai';
import { loadOpenAI } from './openai-runtime.ts';
import { JudgeConfigError } from './config-error.ts';
import type { PriceTable } from './cost.ts';
import type { JudgeScope } from './prompt.ts';
import { RubricRegistry, type CustomRubricSpec } from './rubrics/registry.ts';
import type { RubricSelection, RubricSelectionRule } from './selection.ts';

/**
 * Options of the LLM judge. The `judge` section of the config file parses to
 * this shape (src/config/judge.ts, durations already in ms); library callers
 * may write it by hand. Every field but `model` has a default.
 */
export interface LlmJudgeOptions {
  readonly model: string;
  /** Any OpenAI-compatible endpoint; `OPENAI_BASE_URL` or OpenAI's when absent. */
  readonly baseURL?: string;
  /** The key itself (library use); otherwise read from `apiKeyEnv`. */
  readonly apiKey?: string;
  /** Environment variable holding the key. Default `OPENAI_API_KEY`. */
  readonly apiKeyEnv?: string;
  /** Per HTTP attempt, ms (the client's `timeout`). Default 30 000. */
  readonly timeout?: number;
  /** The client's own retries (408, 409, 429, 5xx, connection errors; honours Retry-After). Default 2. */
  readonly maxRetries?: number;
  /** Overall per-evaluation deadline, ms. Default timeout × (maxRetries + 1) + 5 s. */
  readonly deadline?: number;
  readonly concurrency?: number;
  readonly maxQueue?: number;
  /** Judgments per rubric and item; mean and spread are reported. Default 1. */
  readonly repeats?: number;
  readonly temperature?: number;
  readonly maxOutputTokens?: number;
  /** Rubrics for every target. Default faithfulness, correctness, completeness, tone. */
  readonly rubrics?: readonly string[];
  readonly custom?: readonly CustomRubricSpec[];
  readonly select?: readonly RubricSelectionRule[];
  readonly scope?: JudgeScope;
  readonly circuitBreaker?: { readonly failureThreshold?: number; readonly coolDown?: number };
  readonly prices?: PriceTable;
  /** Transcript budget in characters (oldest turns left out beyond it). Default 60 000. */
  readonly maxTranscriptChars?: number;
  /** Masks personal data in every transcript string before it leaves for the judge. */
  readonly redact?: (text: string) => string;
  /** An existing client (its own timeout / retries apply), or one shared with another evaluator (offline-judge.ts). */
  readonly client?: OpenAI | JudgeClient;
  /** Where `apiKeyEnv` and `OPENAI_BASE_URL` are read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Monotonic ms clock for the circuit breaker. Default `performance.now`. */
  readonly now?: () => number;
}

export const DEFAULT_RUBRICS: readonly string[] = ['faithfulness', 'correctness', 'completeness', 'tone'];

/**
 * The judge's client: the caller's, or one made from the settings on the first call (the `openai`
 * package loads then, not when tracejudge starts: openai-runtime.ts). Either way the package is
 * loaded before a call, so its error classes can be told apart.
 */
export class JudgeClient {
  readonly #settings: { readonly apiKey: string; readonly baseURL?: string; readonly timeout: number; readonly maxRetries: number } | undefined;
  #client: Promise<OpenAI> | undefined;

  /** The timeout and retries of the client it makes or holds (for failure messages). */
  readonly timeout: number;
  readonly maxRetries: number;

  constructor(client: OpenAI | undefined, settings?: { readonly apiKey: string; readonly baseURL?: string; readonly timeout: number; readonly maxRetries: number }) {
    this.#settings = settings;
    this.timeout = client?.timeout ?? settings?.timeout ?? 0;
    this.maxRetries = client?.maxRetries ?? settings?.maxRetries ?? 0;
    if (client !== undefined) this.#client = loadOpenAI().then(() => client);
  }

  get(): Promise<OpenAI> {
    return (this.#client ??= loadOpenAI().then(({ OpenAI }) => {
      const settings = this.#settings!;
      // Set explicitly: the client's defaults are a 10-minute timeout and 2 retries (REFERENCE.md).
      return new OpenAI({ apiKey: settings.apiKey, ...(settings.baseURL !== undefined ? { baseURL: settings.baseURL } : {}), timeout: settings.timeout, maxRetries: settings.maxRetries });
    }));
  }
}

export interface ResolvedJudgeOptions {
  readonly client: JudgeClient;
  readonly model: string;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly deadline: number;
  readonly concurrency: number;
  readonly maxQueue: number;
  readonly repeats: number;
  readonly temperature: number;
  readonly maxOutputTokens?: number;
  readonly selection: RubricSelection;
  readonly scope: JudgeScope;
  readonly failureThreshold: number;
  readonly coolDown: number;
  readonly prices: PriceTable;
  readonly maxTranscriptChars: number;
  readonly redact?: (text: string) => string;
  readonly now: () => number;
}

/** Defaults filled and every field checked; @throws JudgeConfigError listing each problem by field. */
export function resolveJudgeOptions(options: LlmJudgeOptions): ResolvedJudgeOptions {
  const problems: string[] = [];
  const int = (field: string, value: number | undefined, fallback: number, min: number): number => {
    const chosen = value ?? fallback;
    if (!Number.isInteger(chosen) || chosen < min) problems.push(`judge.${field}: expected an integer >= ${min}, got ${JSON.stringify(value)}`);
    return chosen;
  };
  if (typeof options.model !== 'string' || !options.model.trim()) problems.push(`judge.model: expected a model name, got ${JSON.stringify(options.model)}`);
  const timeout = int('timeout', options.timeout, 30_000, 1);
  const maxRetries = int('maxRetries', options.maxRetries, 2, 0);
  const deadline = int('deadline', options.deadline, timeout * (maxRetries + 1) + 5_000, 1);
  const temperature = options.temperature ?? 0;
  if (!(temperature >= 0 && temperature <= 2)) problems.push(`judge.temperature: expected a number from 0 to 2, got ${JSON.stringify(options.temperature)}`);

  const registry = new RubricRegistry(options.custom ?? [], problems);
  const base = registry.resolve(options.rubrics ?? DEFAULT_RUBRICS, 'judge.rubrics', problems);
  const rules = (options.select ?? []).map((rule, index) => ({
    when: rule.when,
    replace: rule.replace ?? false,
    rubrics: registry.resolve(rule.rubrics, `judge.select[${index}].rubrics`, problems),
  }));
  const client =
    options.client instanceof JudgeClient ? options.client : options.client !== undefined ? new JudgeClient(options.client) : makeClient(options, timeout, maxRetries, problems);
  const resolved = {
    model: options.model,
    timeout,
    maxRetries,
    deadline,
    concurrency: int('concurrency', options.concurrency, 4, 1),
    maxQueue: int('maxQueue', options.maxQueue, 1000, 0),
    repeats: int('repeats', options.repeats, 1, 1),
    temperature,
    ...(options.maxOutputTokens !== undefined ? { maxOutputTokens: int('maxOutputTokens', options.maxOutputTokens, 0, 1) } : {}),
    selection: { base, rules },
    scope: options.scope ?? 'turn',
    failureThreshold: int('circuitBreaker.failureThreshold', options.circuitBreaker?.failureThreshold, 5, 1),
    coolDown: int('circuitBreaker.coolDown', options.circuitBreaker?.coolDown, 30_000, 0),
    prices: options.prices ?? {},
    maxTranscriptChars: int('maxTranscriptChars', options.maxTranscriptChars, 60_000, 1000),
    ...(options.redact ? { redact: options.redact } : {}),
    now: options.now ?? (() => performance.now()),
  };
  if (problems.length > 0 || !client) throw new JudgeConfigError(problems);
  return { ...resolved, client };
}

function makeClient(options: LlmJudgeOptions, timeout: number, maxRetries: number, problems: string[]): JudgeClient | undefined {
  const env = options.env ?? process.env;
  const keyVariable = options.apiKeyEnv ?? 'OPENAI_API_KEY';
  const apiKey = options.apiKey ?? env[keyVariable];
  if (!apiKey) {
    problems.push(`judge.apiKeyEnv: environment variable ${keyVariable} is not set (it holds the judge's API key; local servers accept any value)`);
    return undefined;
  }
  const baseURL = options.baseURL ?? env['OPENAI_BASE_URL'];
  if (baseURL !== undefined && !URL.canParse(baseURL)) {
    problems.push(`judge.baseURL: expected a URL like http://127.0.0.1:8000/v1, got ${JSON.stringify(baseURL)}`);
    return undefined;
  }
  return new JudgeClient(undefined, { apiKey, ...(baseURL !== undefined ? { baseURL } : {}), timeout, maxRetries });
}
