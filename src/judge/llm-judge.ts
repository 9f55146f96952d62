import type { EvaluationResult } from '../model/evaluation-result.ts';
import { answerSchema } from './answer.ts';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.ts';
import { CostMeter, TYPICAL_JUDGMENT_OUTPUT_TOKENS, type CostEstimate } from './cost.ts';
import type { EvaluationTarget, Evaluator } from './evaluator.ts';
import { classifyFailure, JudgeErrorType, type FailureContext } from './failure.ts';
import { answerFormat, callJudge, FormatLadder, type AnswerFormat, type JudgeCallResult, type ResponseFormatMode } from './judge-call.ts';
import { resolveJudgeOptions, type LlmJudgeOptions, type ResolvedJudgeOptions } from './judge-options.ts';
import { loadOpenAI } from './openai-runtime.ts';
import { failedResult, judgmentResult, type JudgmentAttempt, type Provenance } from './judgment.ts';
import { judgeMessages, newNonce } from './prompt.ts';
import { JudgeQueue, type JudgeQueueStats } from './queue.ts';
import type { Rubric } from './rubric.ts';
import { selectRubrics } from './selection.ts';
import { renderTranscript, type RenderedTranscript, type TranscriptLimits } from './transcript.ts';

export interface LlmJudgeStats {
  readonly queue: JudgeQueueStats;
  readonly circuit: { readonly state: CircuitState; readonly timesOpened: number; readonly rejected: number };
  readonly cost: { readonly inputTokens: number; readonly outputTokens: number; readonly usd: number; readonly unpricedCalls: number };
  /** Failed judgment attempts by `error.type`. */
  readonly errors: Readonly<Record<string, number>>;
  readonly responseFormat: ResponseFormatMode;
}

const MAX_VALUE_CHARS = 8_000;

/**
 * The LLM-as-judge evaluator: for each rubric selected for the target (by
 * stratum and cohort), `repeats` judgments through a bounded queue and a
 * circuit breaker, each a structured-output call to an OpenAI-compatible
 * endpoint. It never rejects and never outlives its deadline: every failure
 * (down, slow, throttled, garbage, refusal, shed) is a result with `error`.
 */
export class LlmJudge implements Evaluator {
  readonly name = 'llm_judge';
  readonly #options: ResolvedJudgeOptions;
  readonly #queue: JudgeQueue;
  readonly #breaker: CircuitBreaker;
  readonly #meter: CostMeter;
  readonly #ladder = new FormatLadder();
  readonly #formats = new Map<Rubric, AnswerFormat>();
  readonly #errors: Record<string, number> = {};

  /** @throws JudgeConfigError naming each bad field (`judge.select[0].rubrics[1]`, …). */
  constructor(options: LlmJudgeOptions) {
    this.#options = resolveJudgeOptions(options);
    this.#queue = new JudgeQueue({ concurrency: this.#options.concurrency, maxQueued: this.#options.maxQueue });
    this.#breaker = new CircuitBreaker({ failureThreshold: this.#options.failureThreshold, coolDownMs: this.#options.coolDown });
    this.#meter = new CostMeter(this.#options.prices);
  }

  rubricsFor(target: EvaluationTarget): Rubric[] {
    return selectRubrics(this.#options.selection, target);
  }

  async evaluate(target: EvaluationTarget, signal?: AbortSignal): Promise<EvaluationResult[]> {
    const options = this.#options;
    const provenance: Provenance = { model: options.model, scope: options.scope, repeats: options.repeats };
    let rubrics: Rubric[] = [];
    const deadline = new AbortController();
    // A timer cleared when done (not AbortSignal.timeout): no pending timer per finished evaluation.
    const timer = setTimeout(() => deadline.abort(new Error(`deadline of ${options.deadline}ms passed`)), options.deadline);
    try {
      rubrics = this.rubricsFor(target);
      if (rubrics.length === 0) return [];
      const context: FailureContext = {
        ...(signal ? { callerSignal: signal } : {}),
        deadlineSignal: deadline.signal,
        deadlineMs: options.deadline,
        timeoutMs: options.timeout,
        maxRetries: options.maxRetries,
      };
      const combined = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
      let transcript: RenderedTranscript | undefined;
      // Rendered when the first call starts, not while queued: waiting work holds no prompt.
      const render = (): RenderedTranscript =>
        (transcript ??= renderTranscript(target, this.#transcriptLimits()));
      const results = await Promise.all(
        rubrics.map(async (rubric) => {
          const attempts = await Promise.all(Array.from({ length: options.repeats }, () => this.#attempt(rubric, render, combined, context)));
          return judgmentResult(rubric, attempts, target, provenance);
        }),
      );
      // What the judge did not see in full (judge.maxTranscriptChars bounds the whole request): said on the result.
      const seen = transcript as RenderedTranscript | undefined;
      if (seen === undefined || (seen.trimmedChars === 0 && seen.omittedTurns === 0)) return results;
      return results.map((result) => ({
        ...result,
        details: {
          ...result.details,
          ...(seen.omittedTurns > 0 && { 'judge.omitted_turns': seen.omittedTurns }),
          ...(seen.trimmedChars > 0 && { 'judge.transcript_trimmed_chars': seen.trimmedChars }),
        },
      }));
    } catch (error) {
      // A bug or a malformed target must not reject: the caller's spans flow on.
      const failure = { type: JudgeErrorType.FAILED, message: `judge failed on this target: ${error instanceof Error ? error.message : String(error)}` };
      this.#count(failure.type);
      if (rubrics.length === 0) return [{ name: this.name, source: 'judge', error: failure }];
      return rubrics.map((rubric) => failedResult(rubric, failure, target, provenance));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Before any call: estimated tokens and USD for judging this target (chars / 4), for budgets. */
  estimateCost(target: EvaluationTarget): CostEstimate {
    const transcript = renderTranscript(target, this.#transcriptLimits());
    let inputTokens = 0;
    let outputTokens = 0;
    let usd: number | undefined = 0;
    for (const rubric of this.rubricsFor(target)) {
      const prompt = judgeMessages(rubric, transcript, this.#options.scope, '0'.repeat(32));
      const one = this.#meter.estimate(this.#options.model, prompt.system.length + prompt.user.length, Math.min(this.#options.maxOutputTokens ?? Infinity, TYPICAL_JUDGMENT_OUTPUT_TOKENS));
      inputTokens += one.inputTokens * this.#options.repeats;
      outputTokens += one.outputTokens * this.#options.repeats;
      usd = one.usd === undefined || usd === undefined ? undefined : usd + one.usd * this.#options.repeats;
    }
    return usd === undefined ? { inputTokens, outputTokens } : { inputTokens, outputTokens, usd };
  }

  stats(): LlmJudgeStats {
    const { state, timesOpened, rejected } = this.#breaker.stats(this.#options.now());
    return { queue: this.#queue.stats(), circuit: { state, timesOpened, rejected }, cost: this.#meter.totals(), errors: { ...this.#errors }, responseFormat: this.#ladder.mode };
  }

  /** Refuses new work, cancels waiting work and waits for calls in flight. */
  async close(): Promise<void> {
    this.#queue.close();
    await this.#queue.idle();
  }

  async #attempt(rubric: Rubric, render: () => RenderedTranscript, signal: AbortSignal, context: FailureContext): Promise<JudgmentAttempt> {
    const fail = (type: string, message: string): JudgmentAttempt => {
      this.#count(type);
      return { ok: false, failure: { type, message, breaker: 'neutral' }, inputTokens: 0, outputTokens: 0 };
    };
    if (signal.aborted) {
      const failure = classifyFailure(signal.reason, context);
      return fail(failure.type, failure.message);
    }
    // Checked before queueing, so an open circuit costs neither a slot nor a request.
    if (this.#breaker.state(this.#options.now()) === 'open') return fail(JudgeErrorType.CIRCUIT_OPEN, circuitOpenMessage);
    const admission = this.#queue.offer(() => this.#call(rubric, render, signal, context), signal);
    if (!admission.accepted) {
      return fail(JudgeErrorType.QUEUE_FULL, `judge queue full (${this.#options.concurrency} running, ${this.#options.maxQueue} waiting): work shed`);
    }
    try {
      return await admission.result;
    } catch (reason) {
      const failure = classifyFailure(reason, context);
      return fail(failure.type, failure.message);
    }
  }

  async #call(rubric: Rubric, render: () => RenderedTranscript, signal: AbortSignal, context: FailureContext): Promise<JudgmentAttempt> {
    const permit = this.#breaker.tryAcquire(this.#options.now());
    if (!permit) {
      this.#count(JudgeErrorType.CIRCUIT_OPEN);
      return { ok: false, failure: { type: JudgeErrorType.CIRCUIT_OPEN, message: circuitOpenMessage, breaker: 'neutral' }, inputTokens: 0, outputTokens: 0 };
    }
    const options = this.#options;
    let result: JudgeCallResult;
    try {
      const client = await options.client.get();
      let format = this.#formats.get(rubric);
      if (!format) this.#formats.set(rubric, (format = answerFormat(answerSchema(rubric), (await loadOpenAI()))));
      result = await callJudge({
        client,
        model: options.model,
        messages: judgeMessages(rubric, render(), options.scope, newNonce()),
        format,
        temperature: options.temperature,
        ...(options.maxOutputTokens !== undefined ? { maxOutputTokens: options.maxOutputTokens } : {}),
        ladder: this.#ladder,
        signal,
        failureContext: context,
      });
    } catch (error) {
      // Whatever happened, the permit goes back: a stuck half-open probe would keep the circuit open forever.
      this.#breaker.release(permit, 'neutral', options.now());
      throw error;
    }
    this.#breaker.release(permit, result.ok ? 'success' : result.failure.breaker, options.now(), result.ok ? 0 : (result.failure.retryAfterMs ?? 0));
    const costUsd = this.#meter.record(options.model, result.usage);
    const spent = { ...result.usage, mode: result.mode, usageEstimated: result.usageEstimated, ...(costUsd !== undefined ? { costUsd } : {}) };
    if (result.ok) return { ok: true, answer: result.answer, ...spent };
    this.#count(result.failure.type);
    return { ok: false, failure: result.failure, ...spent };
  }

  #transcriptLimits(): TranscriptLimits {
    const { maxTranscriptChars, redact } = this.#options;
    return { maxChars: maxTranscriptChars, maxValueChars: MAX_VALUE_CHARS, ...(redact ? { redact } : {}) };
  }

  #count(type: string): void {
    this.#errors[type] = (this.#errors[type] ?? 0) + 1;
  }
}

const circuitOpenMessage = 'the judge failed repeatedly; the circuit is open and no request was sent';
