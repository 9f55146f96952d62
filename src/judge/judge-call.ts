import type { OpenAI } from 'openai';
import type { AutoParseableResponseFormat } from 'openai/lib/parser';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { parseAnswerText, type JudgeAnswer } from './answer.ts';
import { estimateTokens, TYPICAL_JUDGMENT_OUTPUT_TOKENS, type TokenCounts } from './cost.ts';
import { classifyFailure, JudgeErrorType, type FailureContext, type JudgeFailure } from './failure.ts';
import type { JudgeMessages } from './prompt.ts';
import { openAIRuntime } from './openai-runtime.ts';
import type { OpenAIRuntime } from './openai-runtime.ts';

/** How the answer's shape is asked for, best first. */
export type ResponseFormatMode = 'json_schema' | 'json_object' | 'text';
const LADDER: readonly ResponseFormatMode[] = ['json_schema', 'json_object', 'text'];

/** The mode below `mode`; undefined at the bottom. */
function below(mode: ResponseFormatMode): ResponseFormatMode | undefined {
  return LADDER[LADDER.indexOf(mode) + 1];
}

/** Calls that start in a learned lower mode before one tries structured outputs again. */
export const REPROBE_EVERY_CALLS = 100;

/**
 * Which response format a call starts with. Only a server's own refusal of a format (a 400/422
 * naming response_format) is learned, so later calls do not pay for it again — and even that is
 * tried again every {@link REPROBE_EVERY_CALLS} calls, returning to structured outputs once the
 * server takes them (a proxy redeployed, a model swapped). An answer that fails to parse, or a
 * server that ignored the format once, steps down for that call only: one bad answer must not
 * weaken every later judgment for the life of the process.
 */
export class FormatLadder {
  #mode: ResponseFormatMode = 'json_schema';
  #callsSinceRefusal = 0;

  /** The learned starting mode (for stats). */
  get mode(): ResponseFormatMode {
    return this.#mode;
  }

  /** The mode a new call starts in. */
  startMode(): ResponseFormatMode {
    if (this.#mode === 'json_schema') return this.#mode;
    if (++this.#callsSinceRefusal >= REPROBE_EVERY_CALLS) {
      this.#callsSinceRefusal = 0;
      return 'json_schema';
    }
    return this.#mode;
  }

  /** The server refused `mode`: calls start below it (unless a concurrent call learned lower still). */
  refused(mode: ResponseFormatMode): void {
    const next = below(mode);
    if (next !== undefined && LADDER.indexOf(this.#mode) < LADDER.indexOf(next)) this.#mode = next;
    this.#callsSinceRefusal = 0;
  }

  /** A call was answered in `mode`: calls start there again if it is better than what was learned. */
  worked(mode: ResponseFormatMode): void {
    if (LADDER.indexOf(mode) < LADDER.indexOf(this.#mode)) this.#mode = mode;
  }
}

/** A rubric's answer schema and the strict response format built from it, made once per rubric. */
export interface AnswerFormat {
  readonly schema: z.ZodType<JudgeAnswer>;
  readonly responseFormat: AutoParseableResponseFormat<JudgeAnswer>;
}

export function answerFormat(schema: z.ZodType<JudgeAnswer>, openai: OpenAIRuntime): AnswerFormat {
  return { schema, responseFormat: openai.zodResponseFormat(schema, 'judgment') };
}

export interface JudgeCallRequest {
  readonly client: OpenAI;
  readonly model: string;
  readonly messages: JudgeMessages;
  readonly format: AnswerFormat;
  readonly temperature: number;
  readonly maxOutputTokens?: number;
  readonly ladder: FormatLadder;
  readonly signal: AbortSignal;
  readonly failureContext: FailureContext;
}

export type JudgeCallResult = {
  readonly usage: TokenCounts;
  /** Part of `usage` is the pre-call estimate: the client's parser rejected an answer, taking its usage with it. */
  readonly usageEstimated: boolean;
  readonly mode: ResponseFormatMode;
  readonly requests: number;
} & (
  | { readonly ok: true; readonly answer: JudgeAnswer }
  | { readonly ok: false; readonly failure: JudgeFailure }
);

/**
 * One judgment: `chat.completions.parse` with a strict zod response format,
 * stepping down to `json_object` and then to plain text (tolerant extraction)
 * when the server cannot do better; every mode is validated by the same
 * schema. HTTP retries are the client's alone (its `maxRetries`, honouring
 * Retry-After): a step down is a different request, not a retry of a failure.
 */
export async function callJudge(request: JudgeCallRequest): Promise<JudgeCallResult> {
  const usage = { inputTokens: 0, outputTokens: 0 };
  let usageEstimated = false;
  let requests = 0;
  let mode = request.ladder.startMode();
  const done = (outcome: { ok: true; answer: JudgeAnswer } | { ok: false; failure: JudgeFailure }): JudgeCallResult => ({ ...outcome, usage, usageEstimated, mode, requests });
  const worked = (answer: JudgeAnswer) => {
    request.ladder.worked(mode);
    return done({ ok: true, answer });
  };
  for (;;) {
    requests++;
    let completion: ChatCompletion & { choices: Array<{ message: { parsed?: unknown } }> };
    try {
      completion = await send(request, mode);
    } catch (error) {
      if (answeredButUnread(error)) {
        usage.inputTokens += estimateTokens(request.messages.system.length + request.messages.user.length);
        usage.outputTokens += Math.min(request.maxOutputTokens ?? Infinity, TYPICAL_JUDGMENT_OUTPUT_TOKENS);
        usageEstimated = true;
      }
      const next = mode === 'text' ? undefined : below(mode);
      if (next !== undefined && rejectsResponseFormat(error)) {
        // The server's own word on what it cannot do: learned (and tried again now and then).
        request.ladder.refused(mode);
        mode = next;
        continue;
      }
      if (next !== undefined && mode === 'json_schema' && error instanceof SyntaxError) {
        // This answer did not parse: this call steps down, later ones still ask for structured output.
        mode = next;
        continue;
      }
      // The client's parser trips (TypeError) on a 200 body that is not a chat completion.
      if (error instanceof TypeError) return done(notACompletion(error.message));
      return done({ ok: false, failure: classifyFailure(error, request.failureContext) });
    }
    if (typeof completion !== 'object' || completion === null || !Array.isArray(completion.choices)) return done(notACompletion(typeof completion));
    usage.inputTokens += numberOr0(completion.usage?.prompt_tokens);
    usage.outputTokens += numberOr0(completion.usage?.completion_tokens);
    const message = completion.choices[0]?.message;
    if (!message || typeof message !== 'object') return done(invalid('the judge answered with no message'));
    if (message.refusal) return done({ ok: false, failure: { type: JudgeErrorType.REFUSAL, message: `the judge refused: ${message.refusal}`, breaker: 'success' } });
    if (mode === 'json_schema') {
      if (message.parsed) return worked(message.parsed as JudgeAnswer);
      // No parsed answer and no refusal: the server ignored json_schema; this call asks again one step down.
      mode = 'json_object';
      continue;
    }
    if (typeof message.content !== 'string' || !message.content) return done(invalid('the judge answered with no content'));
    const parsed = parseAnswerText(message.content, request.format.schema);
    return parsed.ok ? done(parsed) : done(invalid(parsed.message));
  }
}

function send(request: JudgeCallRequest, mode: ResponseFormatMode) {
  const body: ChatCompletionCreateParamsNonStreaming = {
    model: request.model,
    messages: [
      { role: 'system', content: request.messages.system },
      { role: 'user', content: request.messages.user },
    ],
    temperature: request.temperature,
    ...(request.maxOutputTokens !== undefined ? { max_completion_tokens: request.maxOutputTokens } : {}),
  };
  const options = { signal: request.signal };
  if (mode === 'json_schema') {
    return request.client.chat.completions.parse({ ...body, response_format: request.format.responseFormat }, options);
  }
  const format = mode === 'json_object' ? { response_format: { type: 'json_object' as const } } : {};
  return request.client.chat.completions.create({ ...body, ...format }, options);
}

/** The model answered (tokens were spent) but the client's parser threw, so the completion and its usage are gone. */
function answeredButUnread(error: unknown): boolean {
  if (error instanceof z.ZodError || error instanceof SyntaxError) return true;
  const openai = openAIRuntime();
  return openai !== undefined && (error instanceof openai.LengthFinishReasonError || error instanceof openai.ContentFilterFinishReasonError);
}

/** A 400/422 about the response format (OpenAI names `response_format`; vLLM and others say json_schema / guided). */
function rejectsResponseFormat(error: unknown): boolean {
  const openai = openAIRuntime();
  if (openai === undefined || !(error instanceof openai.APIError) || (error.status !== 400 && error.status !== 422)) return false;
  const text = `${error.param ?? ''} ${error.message} ${JSON.stringify(error.error ?? '')}`;
  return /response_format|json_schema|json_object|structured output|guided/i.test(text);
}

/** A body that is not a chat completion at all (an HTML page, a proxy error): the endpoint is broken. */
function notACompletion(detail: string): { ok: false; failure: JudgeFailure } {
  return { ok: false, failure: { type: JudgeErrorType.INVALID_OUTPUT, message: `the server's answer is not a chat completion (${detail})`, breaker: 'failure' } };
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function invalid(message: string): { ok: false; failure: JudgeFailure } {
  return { ok: false, failure: { type: JudgeErrorType.INVALID_OUTPUT, message, breaker: 'success' } };
}
