import type { Attributes } from '@opentelemetry/api';
import { GenAI } from '../../src/model/attributes.ts';
import { parseArguments, textPart } from '../genai-json.ts';
import type { GenAIMessage, GenAIPart } from '../genai-json.ts';
import type { ChatCallResult, ChatRequest } from './chat-span.ts';
import { contentParts } from './parts.ts';
import { asList, asNumber, asRecord, asString, setNumber } from './read.ts';
import type { Loose } from './read.ts';
import { GenAIRequest, OpenAIAttributes } from './semconv.ts';

/** Responses API (`responses.create`, and `.parse` / `.stream` which call it) bodies as span data. */

export function responsesRequest(body: Loose): ChatRequest {
  const attributes: Attributes = { [OpenAIAttributes.API_TYPE]: 'responses' };
  setNumber(attributes, GenAIRequest.TEMPERATURE, body.temperature);
  setNumber(attributes, GenAIRequest.TOP_P, body.top_p);
  setNumber(attributes, GenAIRequest.MAX_TOKENS, body.max_output_tokens);
  if (body.stream === true) attributes[GenAIRequest.STREAM] = true;
  const format = asString(asRecord(asRecord(body.text)?.format)?.type);
  if (format) attributes[GenAI.OUTPUT_TYPE] = format === 'text' ? 'text' : 'json';
  const tier = asString(body.service_tier);
  if (tier) attributes[OpenAIAttributes.REQUEST_SERVICE_TIER] = tier;

  const systemInstructions: GenAIPart[] = [];
  const instructions = asString(body.instructions);
  if (instructions) systemInstructions.push(textPart(instructions));
  const inputMessages: GenAIMessage[] = [];
  if (typeof body.input === 'string') inputMessages.push({ role: 'user', parts: [textPart(body.input)] });
  for (const entry of asList(body.input)) {
    const item = asRecord(entry);
    if (!item) continue;
    const role = asString(item.role);
    if (role === 'system' || role === 'developer') systemInstructions.push(...contentParts(item.content));
    else if (role) inputMessages.push({ role, parts: contentParts(item.content) });
    else {
      const message = itemMessage(item);
      if (message) inputMessages.push(message);
    }
  }
  return { model: asString(body.model), attributes, inputMessages, systemInstructions };
}

/** Input items that are not messages: earlier tool calls and their outputs. */
function itemMessage(item: Loose): GenAIMessage | undefined {
  const type = asString(item.type) ?? '';
  const id = asString(item.call_id) ?? asString(item.id);
  if (type.endsWith('_call_output')) {
    const output = item.output;
    const response = typeof output === 'string' ? output : Array.isArray(output) ? contentParts(output) : output;
    return { role: 'tool', parts: [{ type: 'tool_call_response', ...(id && { id }), response }] };
  }
  const call = toolCallPart(item);
  if (call) return { role: 'assistant', parts: [call] };
  const reasoning = reasoningPart(item);
  return reasoning ? { role: 'assistant', parts: [reasoning] } : undefined;
}

/** `function_call` and `custom_tool_call` carry a name; built-in tools (`web_search_call`…) are named by type. */
function toolCallPart(item: Loose): GenAIPart | undefined {
  const type = asString(item.type) ?? '';
  if (!type.endsWith('_call')) return undefined;
  const id = asString(item.call_id) ?? asString(item.id);
  const name = asString(item.name) ?? type.slice(0, -'_call'.length);
  const args = parseArguments(asString(item.arguments) ?? asString(item.input));
  return { type: 'tool_call', ...(id && { id }), name, ...(args !== undefined && { arguments: args }) };
}

function reasoningPart(item: Loose): GenAIPart | undefined {
  if (item.type !== 'reasoning') return undefined;
  const summary = asList(item.summary)
    .map((entry) => asString(asRecord(entry)?.text))
    .filter((text): text is string => text !== undefined);
  return summary.length ? { type: 'reasoning', content: summary.join('\n') } : undefined;
}

export function responseResult(response: unknown): ChatCallResult {
  const body = asRecord(response) ?? {};
  const parts: GenAIPart[] = [];
  let toolCalls = 0;
  for (const entry of asList(body.output)) {
    const item = asRecord(entry);
    if (!item) continue;
    if (item.type === 'message') parts.push(...contentParts(item.content));
    else {
      const call = toolCallPart(item);
      if (call) toolCalls++;
      const part = call ?? reasoningPart(item);
      if (part) parts.push(part);
    }
  }
  const finishReason = finishReasonOf(body, toolCalls > 0);
  const error = asRecord(body.error);
  const usage = asRecord(body.usage);
  const responseId = asString(body.id);
  const responseModel = asString(body.model);
  const serviceTier = asString(body.service_tier);
  const inputTokens = asNumber(usage?.input_tokens);
  const outputTokens = asNumber(usage?.output_tokens);
  const cacheReadInputTokens = asNumber(asRecord(usage?.input_tokens_details)?.cached_tokens);
  const reasoningOutputTokens = asNumber(asRecord(usage?.output_tokens_details)?.reasoning_tokens);
  return {
    ...(responseId && { responseId }),
    ...(responseModel && { responseModel }),
    ...(serviceTier && { serviceTier }),
    ...(inputTokens !== undefined && { inputTokens }),
    ...(outputTokens !== undefined && { outputTokens }),
    ...(cacheReadInputTokens !== undefined && { cacheReadInputTokens }),
    ...(reasoningOutputTokens !== undefined && { reasoningOutputTokens }),
    ...(finishReason && { finishReasons: [finishReason] }),
    outputMessages: [{ role: 'assistant', parts, finish_reason: finishReason ?? 'incomplete' }],
    ...(body.status === 'failed' && {
      failure: { type: asString(error?.code) ?? 'response.failed', ...(asString(error?.message) && { message: asString(error?.message) }) },
    }),
  };
}

/** Responses have a status, not a finish reason; mapped onto semconv's finish_reason values. */
function finishReasonOf(body: Loose, calledTools: boolean): string | undefined {
  switch (body.status) {
    case 'completed':
      return calledTools ? 'tool_call' : 'stop';
    case 'incomplete': {
      const reason = asString(asRecord(body.incomplete_details)?.reason);
      if (reason === 'max_output_tokens') return 'length';
      return reason ?? 'incomplete';
    }
    case 'failed':
      return 'error';
    default:
      return asString(body.status);
  }
}
