import { diag, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { spanTime } from '../clock.ts';
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '@opentelemetry/semantic-conventions';
import { GenAI } from '../../src/model/attributes.ts';
import { conversationIdOf } from '../conversation-context.ts';
import { recordError } from '../errors.ts';
import { toJsonAttribute } from '../genai-json.ts';
import type { GenAIMessage, GenAIOutputMessage, GenAIPart } from '../genai-json.ts';
import { GenAIResponseExtra, OpenAIAttributes } from './semconv.ts';

/** What one API call produced, whichever API and whether streamed or not. */
export interface ChatCallResult {
  readonly responseId?: string;
  readonly responseModel?: string;
  readonly finishReasons?: readonly string[];
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly cacheReadInputTokens?: number;
  readonly reasoningOutputTokens?: number;
  readonly serviceTier?: string;
  readonly systemFingerprint?: string;
  readonly outputMessages?: readonly GenAIOutputMessage[];
  /** A response that arrived but reports failure (Responses API `status: failed`, `error` events). */
  readonly failure?: { readonly type: string; readonly message?: string };
}

export interface ChatRequest {
  readonly model: string | undefined;
  readonly attributes: Attributes;
  readonly inputMessages?: readonly GenAIMessage[];
  readonly systemInstructions?: readonly GenAIPart[];
}

export interface ServerEndpoint {
  readonly address: string;
  readonly port: number;
}

/**
 * One `chat {model}` CLIENT span. It ends exactly once, whichever comes first:
 * the response, an error, the end or abort of a stream.
 */
export class ChatSpan {
  readonly span: Span;
  /** The span active: the HTTP client spans of the request nest under it. */
  readonly context: Context;
  readonly #capture: boolean;
  readonly #startedAt = performance.now();
  #firstChunkSeen = false;
  #ended = false;

  constructor(tracer: Tracer, parent: Context, request: ChatRequest, capture: boolean, server: ServerEndpoint | undefined) {
    this.#capture = capture;
    const attributes: Attributes = { ...request.attributes, [GenAI.OPERATION_NAME]: 'chat', [GenAI.PROVIDER_NAME]: 'openai' };
    if (request.model) attributes[GenAI.REQUEST_MODEL] = request.model;
    if (server) {
      attributes[ATTR_SERVER_ADDRESS] = server.address;
      attributes[ATTR_SERVER_PORT] = server.port;
    }
    const conversationId = conversationIdOf(parent);
    if (conversationId) attributes[GenAI.CONVERSATION_ID] = conversationId;
    if (capture) {
      if (request.systemInstructions?.length) attributes[GenAI.SYSTEM_INSTRUCTIONS] = toJsonAttribute(request.systemInstructions);
      if (request.inputMessages?.length) attributes[GenAI.INPUT_MESSAGES] = toJsonAttribute(request.inputMessages);
    }
    this.span = tracer.startSpan(request.model ? `chat ${request.model}` : 'chat', { kind: SpanKind.CLIENT, attributes, startTime: spanTime() }, parent);
    this.context = trace.setSpan(parent, this.span);
  }

  get capture(): boolean {
    return this.#capture;
  }

  /** Streaming: seconds from the request to the first chunk (`gen_ai.response.time_to_first_chunk`). */
  firstChunk(): void {
    if (this.#firstChunkSeen || this.#ended) return;
    this.#firstChunkSeen = true;
    this.span.setAttribute(GenAIResponseExtra.TIME_TO_FIRST_CHUNK, (performance.now() - this.#startedAt) / 1000);
  }

  /** The call completed (or a stream stopped early: then `result` is what arrived so far). */
  end(result: ChatCallResult | undefined): void {
    this.#finish(result, undefined, false);
  }

  fail(error: unknown, partial?: ChatCallResult): void {
    this.#finish(partial, error, true);
  }

  #finish(result: ChatCallResult | undefined, error: unknown, failed: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      if (result) this.#record(result);
      if (failed) recordError(this.span, error);
      else if (result?.failure) {
        this.span.setAttribute(ATTR_ERROR_TYPE, result.failure.type);
        this.span.setStatus({ code: SpanStatusCode.ERROR, message: result.failure.message ?? result.failure.type });
      }
    } catch (recordingError) {
      diag.error('tracejudge: failed to record an OpenAI response on its span', recordingError);
    } finally {
      this.span.end(spanTime());
    }
  }

  #record(result: ChatCallResult): void {
    const attributes: Attributes = {};
    if (result.responseId) attributes[GenAI.RESPONSE_ID] = result.responseId;
    if (result.responseModel) attributes[GenAI.RESPONSE_MODEL] = result.responseModel;
    if (result.finishReasons?.length) attributes[GenAI.RESPONSE_FINISH_REASONS] = [...result.finishReasons];
    if (result.inputTokens !== undefined) attributes[GenAI.USAGE_INPUT_TOKENS] = result.inputTokens;
    if (result.outputTokens !== undefined) attributes[GenAI.USAGE_OUTPUT_TOKENS] = result.outputTokens;
    if (result.cacheReadInputTokens !== undefined) attributes[GenAIResponseExtra.USAGE_CACHE_READ_INPUT_TOKENS] = result.cacheReadInputTokens;
    if (result.reasoningOutputTokens !== undefined) attributes[GenAIResponseExtra.USAGE_REASONING_OUTPUT_TOKENS] = result.reasoningOutputTokens;
    if (result.serviceTier) attributes[OpenAIAttributes.RESPONSE_SERVICE_TIER] = result.serviceTier;
    if (result.systemFingerprint) attributes[OpenAIAttributes.RESPONSE_SYSTEM_FINGERPRINT] = result.systemFingerprint;
    const outputMessages = result.outputMessages?.filter((message) => message.parts.length > 0);
    if (this.#capture && outputMessages?.length) attributes[GenAI.OUTPUT_MESSAGES] = toJsonAttribute(outputMessages);
    this.span.setAttributes(attributes);
  }
}

export function serverEndpointOf(baseURL: unknown): ServerEndpoint | undefined {
  if (typeof baseURL !== 'string') return undefined;
  try {
    const url = new URL(baseURL);
    const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
    return { address: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
  } catch {
    return undefined;
  }
}
