import { APIError, type OpenAI } from 'openai';
import { ContentFilterFinishReasonError, LengthFinishReasonError } from 'openai/core/error';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { AutoParseableResponseFormat } from 'openai/lib/parser';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { parseAnswerText, type JudgeAnswer } from './answer.ts';
import { estimateTokens, TYPICAL_JUDGMENT_OUTPUT_TOKENS, type TokenCounts } from './cost.ts';
import { classifyFailure, JudgeErrorType, type FailureContext, type JudgeFailure } from './failure.ts';
import type { JudgeMessages } from './prompt.ts';

/** How the answer's shape is asked for, best first. */
export type ResponseFormatMode = 'json_schema' | 'json_object' | 'text';
const LADDER: readonly ResponseFormatMode[] = ['json_schema', 'json_object', 'text'];

/**
 * What the server accepts, learned once per judge: a server that rejects
 * `json_schema` (400/422 naming response_format) or ignores it (no `parsed`)
 * will do so for every request, so later calls start one step down.
 */
export class FormatLadder {
  #mode: ResponseFormatMode = 'json_schema';

  get mode(): ResponseFormatMode {
    return this.#mode;
  }

  /** Moves below `from` unless a concurrent call already did; false at the bottom. */
  stepDown(from: ResponseFormatMode): boolean {
    const next = LADDER[LADDER.indexOf(from) + 1];
    if (!next) return false;
    if (LADDER.indexOf(this.#mode) < LADDER.indexOf(next)) this.#mode = next;
    return true;
  }
}

/** A rubric's answer schema and the strict response format built from it, made once per rubric. */
export interface AnswerFormat {
  readonly schema: z.ZodType<JudgeAnswer>;
  readonly responseFormat: AutoParseableResponseFormat<JudgeAnswer>;
}

export function answerFormat(schema: z.ZodType<JudgeAnswer>): AnswerFormat {
  return { schema, responseFormat: zodResponseFormat(schema, 'judgment') };
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
  let mode = request.ladder.mode;
  const done = (outcome: { ok: true; answer: JudgeAnswer } | { ok: false; failure: JudgeFailure }): JudgeCallResult => ({ ...outcome, usage, usageEstimated, mode, requests });
  for (;;) {
    mode = request.ladder.mode;
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
      const cannotFormat = mode !== 'text' && (rejectsResponseFormat(error) || (mode === 'json_schema' && error instanceof SyntaxError));
      if (cannotFormat && request.ladder.stepDown(mode)) continue;
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
      if (message.parsed) return done({ ok: true, answer: message.parsed as JudgeAnswer });
      // No parsed answer and no refusal: the server ignored json_schema.
      if (request.ladder.stepDown(mode)) continue;
    }
    if (typeof message.content !== 'string' || !message.content) return done(invalid('the judge answered with no content'));
    const parsed = parseAnswerText(message.content, request.format.schema);
    return done(parsed.ok ? parsed : invalid(parsed.message));
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
  return error instanceof z.ZodError || error instanceof SyntaxError || error instanceof LengthFinishReasonError || error instanceof ContentFilterFinishReasonError;
}

/** A 400/422 about the response format (OpenAI names `response_format`; vLLM and others say json_schema / guided). */
function rejectsResponseFormat(error: unknown): boolean {
  if (!(error instanceof APIError) || (error.status !== 400 && error.status !== 422)) return false;
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
