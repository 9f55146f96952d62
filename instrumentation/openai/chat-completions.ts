import type { Attributes } from '@opentelemetry/api';
import { GenAI } from '../../src/model/attributes.ts';
import { parseArguments, semconvFinishReason } from '../genai-json.ts';
import type { GenAIMessage, GenAIOutputMessage, GenAIPart } from '../genai-json.ts';
import type { ChatCallResult, ChatRequest } from './chat-span.ts';
import { contentParts } from './parts.ts';
import { asList, asNumber, asRecord, asString, setNumber } from './read.ts';
import type { Loose } from './read.ts';
import { GenAIRequest, OpenAIAttributes } from './semconv.ts';

/** Chat Completions (`chat.completions.create` / `.parse`) bodies as span data. */

export function chatRequest(body: Loose): ChatRequest {
  const attributes: Attributes = { [OpenAIAttributes.API_TYPE]: 'chat_completions' };
  setNumber(attributes, GenAIRequest.TEMPERATURE, body.temperature);
  setNumber(attributes, GenAIRequest.TOP_P, body.top_p);
  setNumber(attributes, GenAIRequest.MAX_TOKENS, body.max_completion_tokens ?? body.max_tokens);
  setNumber(attributes, GenAIRequest.FREQUENCY_PENALTY, body.frequency_penalty);
  setNumber(attributes, GenAIRequest.PRESENCE_PENALTY, body.presence_penalty);
  setNumber(attributes, GenAIRequest.SEED, body.seed);
  const choices = asNumber(body.n);
  if (choices !== undefined && choices !== 1) attributes[GenAIRequest.CHOICE_COUNT] = choices;
  const stop = typeof body.stop === 'string' ? [body.stop] : asList(body.stop).filter((item) => typeof item === 'string');
  if (stop.length) attributes[GenAIRequest.STOP_SEQUENCES] = stop;
  if (body.stream === true) attributes[GenAIRequest.STREAM] = true;
  const format = asString(asRecord(body.response_format)?.type);
  if (format) attributes[GenAI.OUTPUT_TYPE] = format === 'text' ? 'text' : 'json';
  const tier = asString(body.service_tier);
  if (tier) attributes[OpenAIAttributes.REQUEST_SERVICE_TIER] = tier;

  const systemInstructions: GenAIPart[] = [];
  const inputMessages: GenAIMessage[] = [];
  for (const entry of asList(body.messages)) {
    const message = asRecord(entry);
    if (!message) continue;
    const role = asString(message.role) ?? 'user';
    // The brief's contract: system and developer messages are the instructions.
    if (role === 'system' || role === 'developer') systemInstructions.push(...contentParts(message.content));
    else inputMessages.push(inputMessage(role, message));
  }
  return { model: asString(body.model), attributes, inputMessages, systemInstructions };
}

function inputMessage(role: string, message: Loose): GenAIMessage {
  const name = asString(message.name);
  if (role === 'tool' || role === 'function') {
    const id = asString(message.tool_call_id);
    const response = typeof message.content === 'string' ? message.content : contentParts(message.content);
    return { role: 'tool', parts: [{ type: 'tool_call_response', ...(id && { id }), response }], ...(name && { name }) };
  }
  const parts = [...contentParts(message.content), ...toolCallParts(message)];
  return { role, parts, ...(name && { name }) };
}

function toolCallParts(message: Loose): GenAIPart[] {
  const parts: GenAIPart[] = [];
  for (const entry of asList(message.tool_calls)) {
    const call = asRecord(entry);
    const fn = asRecord(call?.function) ?? asRecord(call?.custom);
    const name = asString(fn?.name);
    if (!call || !name) continue;
    const id = asString(call.id);
    const args = parseArguments(asString(fn?.arguments) ?? asString(fn?.input));
    parts.push({ type: 'tool_call', ...(id && { id }), name, ...(args !== undefined && { arguments: args }) });
  }
  // Deprecated single `function_call` of older models.
  const legacy = asRecord(message.function_call);
  const legacyName = asString(legacy?.name);
  if (legacyName) parts.push({ type: 'tool_call', name: legacyName, arguments: parseArguments(asString(legacy?.arguments)) });
  return parts;
}

export function chatCompletionResult(completion: unknown): ChatCallResult {
  const body = asRecord(completion) ?? {};
  const finishReasons: string[] = [];
  const outputMessages: GenAIOutputMessage[] = [];
  for (const entry of asList(body.choices)) {
    const choice = asRecord(entry);
    if (!choice) continue;
    const reason = asString(choice.finish_reason);
    if (reason) finishReasons.push(reason);
    const message = asRecord(choice.message) ?? {};
    const parts = [...contentParts(message.content), ...toolCallParts(message)];
    const refusal = asString(message.refusal);
    if (refusal) parts.push({ type: 'refusal', content: refusal });
    outputMessages.push({ role: asString(message.role) ?? 'assistant', parts, finish_reason: semconvFinishReason(reason) });
  }
  return { ...responseMetadata(body), ...usageOf(asRecord(body.usage)), finishReasons, outputMessages };
}

interface ChoiceState {
  text: string;
  refusal: string;
  finishReason?: string;
  readonly toolCalls: Map<number, { id?: string; name: string; arguments: string }>;
}

/**
 * Folds streamed chunks into the result a non-streamed call would have given:
 * content and tool-call deltas per choice, and the usage chunk OpenAI sends last
 * (with `stream_options.include_usage`). Content is only kept when it will be recorded.
 */
export class ChatChunkAccumulator {
  readonly #keepContent: boolean;
  #metadata: Partial<ChatCallResult> = {};
  #usage: Partial<ChatCallResult> = {};
  readonly #choices = new Map<number, ChoiceState>();

  constructor(keepContent: boolean) {
    this.#keepContent = keepContent;
  }

  add(chunk: unknown): void {
    const body = asRecord(chunk);
    if (!body) return;
    if (this.#metadata.responseId === undefined) this.#metadata = responseMetadata(body);
    const usage = asRecord(body.usage);
    if (usage) this.#usage = usageOf(usage);
    for (const entry of asList(body.choices)) {
      const choice = asRecord(entry);
      if (!choice) continue;
      const index = asNumber(choice.index) ?? 0;
      let state = this.#choices.get(index);
      if (!state) this.#choices.set(index, (state = { text: '', refusal: '', toolCalls: new Map() }));
      const reason = asString(choice.finish_reason);
      if (reason) state.finishReason = reason;
      if (this.#keepContent) addDelta(state, asRecord(choice.delta));
    }
  }

  result(): ChatCallResult {
    const finishReasons: string[] = [];
    const outputMessages: GenAIOutputMessage[] = [];
    for (const [, state] of [...this.#choices].sort(([a], [b]) => a - b)) {
      if (state.finishReason) finishReasons.push(state.finishReason);
      const parts: GenAIPart[] = state.text ? [{ type: 'text', content: state.text }] : [];
      for (const [, call] of [...state.toolCalls].sort(([a], [b]) => a - b)) {
        const args = parseArguments(call.arguments);
        parts.push({ type: 'tool_call', ...(call.id && { id: call.id }), name: call.name, ...(args !== undefined && { arguments: args }) });
      }
      if (state.refusal) parts.push({ type: 'refusal', content: state.refusal });
      // A stream stopped before its finish_reason: say so rather than claim `stop`.
      const finish = state.finishReason ? semconvFinishReason(state.finishReason) : 'incomplete';
      outputMessages.push({ role: 'assistant', parts, finish_reason: finish });
    }
    return { ...this.#metadata, ...this.#usage, finishReasons, outputMessages };
  }
}

function addDelta(state: ChoiceState, delta: Loose | undefined): void {
  if (!delta) return;
  if (typeof delta.content === 'string') state.text += delta.content;
  if (typeof delta.refusal === 'string') state.refusal += delta.refusal;
  for (const entry of asList(delta.tool_calls)) {
    const call = asRecord(entry);
    if (!call) continue;
    const index = asNumber(call.index) ?? 0;
    let acc = state.toolCalls.get(index);
    if (!acc) state.toolCalls.set(index, (acc = { name: '', arguments: '' }));
    const id = asString(call.id);
    if (id) acc.id = id;
    const fn = asRecord(call.function);
    const name = asString(fn?.name);
    // The name arrives whole in the first delta; later deltas only extend the arguments.
    if (name && !acc.name) acc.name = name;
    const args = asString(fn?.arguments);
    if (args) acc.arguments += args;
  }
}

function responseMetadata(body: Loose): Partial<ChatCallResult> {
  const responseId = asString(body.id);
  const responseModel = asString(body.model);
  const serviceTier = asString(body.service_tier);
  const systemFingerprint = asString(body.system_fingerprint);
  return {
    ...(responseId && { responseId }),
    ...(responseModel && { responseModel }),
    ...(serviceTier && { serviceTier }),
    ...(systemFingerprint && { systemFingerprint }),
  };
}

function usageOf(usage: Loose | undefined): Partial<ChatCallResult> {
  if (!usage) return {};
  const inputTokens = asNumber(usage.prompt_tokens);
  const outputTokens = asNumber(usage.completion_tokens);
  const cacheReadInputTokens = asNumber(asRecord(usage.prompt_tokens_details)?.cached_tokens);
  const reasoningOutputTokens = asNumber(asRecord(usage.completion_tokens_details)?.reasoning_tokens);
  return {
    ...(inputTokens !== undefined && { inputTokens }),
    ...(outputTokens !== undefined && { outputTokens }),
    ...(cacheReadInputTokens !== undefined && { cacheReadInputTokens }),
    ...(reasoningOutputTokens !== undefined && { reasoningOutputTokens }),
  };
}
