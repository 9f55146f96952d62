import type { Attributes } from '@opentelemetry/api';
import { GenAI } from '../../src/model/attributes.ts';
import { toJsonAttribute, toolPayloadAttribute } from '../genai-json.ts';
import type { GenAIMessage, GenAIOutputMessage } from '../genai-json.ts';
import { chatCompletionResult, chatRequest } from '../openai/chat-completions.ts';
import type { ChatCallResult, ChatRequest } from '../openai/chat-span.ts';
import { asList, asNumber, asRecord, asString } from '../openai/read.ts';
import { responseResult, responsesRequest } from '../openai/responses.ts';

/** Attributes under this prefix are the Agents SDK's own notions that GenAI semconv has no name for. */
export const AGENTS_PREFIX = 'openai_agents.';

/** What one Agents SDK span becomes, read when it ends (the SDK fills its data while it runs). */
export interface MappedSpan {
  readonly name: string;
  readonly attributes: Attributes;
  /** A model call's messages, for the turn span to take the user's input and the final reply from. */
  readonly model?: { readonly input: readonly GenAIMessage[]; readonly output: readonly GenAIOutputMessage[] };
}

export function mapSpanData(data: { readonly type: string; readonly [key: string]: unknown }, capture: boolean): MappedSpan {
  switch (data.type) {
    case 'generation':
      return modelCall(generationCall(data), capture);
    case 'response':
      return modelCall(responseCall(data), capture);
    case 'function':
      return toolCall(data, capture);
    case 'agent':
      return agent(data);
    case 'handoff':
      return handoff(data);
    case 'guardrail':
      return guardrail(data);
    default:
      return other(data);
  }
}

interface ModelCall {
  readonly request: ChatRequest;
  readonly result: ChatCallResult;
  readonly model: string | undefined;
}

/** Chat Completions models record the request's messages and the completion object. */
function generationCall(data: Record<string, unknown>): ModelCall {
  const config = asRecord(data.model_config) ?? {};
  const request = chatRequest({ ...config, model: data.model, messages: data.input ?? [] });
  const completion = asRecord(asList(data.output)[0]);
  const result = completion ? chatCompletionResult(completion) : {};
  const usage = asRecord(data.usage);
  return {
    request,
    model: asString(data.model),
    result: {
      ...result,
      inputTokens: result.inputTokens ?? asNumber(usage?.input_tokens),
      outputTokens: result.outputTokens ?? asNumber(usage?.output_tokens),
    },
  };
}

/** Responses models record the request's input items and the whole Response (which echoes model and instructions). */
function responseCall(data: Record<string, unknown>): ModelCall {
  const response = asRecord(data._response);
  const input = data._input;
  const request = responsesRequest({ input: input ?? [], instructions: response?.instructions, model: response?.model });
  const result = response ? responseResult(response) : {};
  const responseId = asString(data.response_id) ?? result.responseId;
  return { request, model: asString(response?.model), result: { ...result, ...(responseId && { responseId }) } };
}

function modelCall({ request, result, model }: ModelCall, capture: boolean): MappedSpan {
  const attributes: Attributes = { ...request.attributes, [GenAI.OPERATION_NAME]: 'chat', [GenAI.PROVIDER_NAME]: 'openai' };
  if (model) attributes[GenAI.REQUEST_MODEL] = model;
  if (result.responseId) attributes[GenAI.RESPONSE_ID] = result.responseId;
  if (result.responseModel) attributes[GenAI.RESPONSE_MODEL] = result.responseModel;
  if (result.finishReasons?.length) attributes[GenAI.RESPONSE_FINISH_REASONS] = [...result.finishReasons];
  if (result.inputTokens !== undefined) attributes[GenAI.USAGE_INPUT_TOKENS] = result.inputTokens;
  if (result.outputTokens !== undefined) attributes[GenAI.USAGE_OUTPUT_TOKENS] = result.outputTokens;
  const input = request.inputMessages ?? [];
  const output = (result.outputMessages ?? []).filter((message) => message.parts.length > 0);
  if (capture) {
    if (request.systemInstructions?.length) attributes[GenAI.SYSTEM_INSTRUCTIONS] = toJsonAttribute(request.systemInstructions);
    if (input.length) attributes[GenAI.INPUT_MESSAGES] = toJsonAttribute(input);
    if (output.length) attributes[GenAI.OUTPUT_MESSAGES] = toJsonAttribute(output);
  }
  return { name: model ? `chat ${model}` : 'chat', attributes, model: { input, output } };
}

function toolCall(data: Record<string, unknown>, capture: boolean): MappedSpan {
  const name = asString(data.name) ?? 'function';
  const attributes: Attributes = { [GenAI.OPERATION_NAME]: 'execute_tool', [GenAI.TOOL_NAME]: name, [GenAI.TOOL_TYPE]: 'function' };
  if (capture) {
    // The SDK records arguments and output as the strings it passed and got: kept as they are.
    if (typeof data.input === 'string') attributes[GenAI.TOOL_CALL_ARGUMENTS] = data.input;
    if (data.output !== undefined) attributes[GenAI.TOOL_CALL_RESULT] = toolPayloadAttribute(data.output);
  }
  if (typeof data.mcp_data === 'string') attributes[`${AGENTS_PREFIX}mcp_data`] = data.mcp_data;
  return { name: `execute_tool ${name}`, attributes };
}

/**
 * An agent span of the SDK (one per agent that ran in the trace, several with handoffs). It has
 * no `gen_ai.operation.name`: the trace's span is the turn (`invoke_agent`), and readers that
 * count turns by operation must not count each agent of a handoff chain again.
 */
function agent(data: Record<string, unknown>): MappedSpan {
  const name = asString(data.name) ?? 'agent';
  const attributes: Attributes = { [GenAI.AGENT_NAME]: name, [`${AGENTS_PREFIX}span.type`]: 'agent' };
  const tools = asList(data.tools).filter((tool): tool is string => typeof tool === 'string');
  if (tools.length) attributes[`${AGENTS_PREFIX}agent.tools`] = tools;
  const handoffs = asList(data.handoffs).filter((target): target is string => typeof target === 'string');
  if (handoffs.length) attributes[`${AGENTS_PREFIX}agent.handoffs`] = handoffs;
  const outputType = asString(data.output_type);
  if (outputType) attributes[`${AGENTS_PREFIX}agent.output_type`] = outputType;
  return { name: `agent ${name}`, attributes };
}

function handoff(data: Record<string, unknown>): MappedSpan {
  const from = asString(data.from_agent);
  const to = asString(data.to_agent);
  const attributes: Attributes = { [`${AGENTS_PREFIX}span.type`]: 'handoff' };
  if (from) attributes[`${AGENTS_PREFIX}handoff.from_agent`] = from;
  if (to) attributes[`${AGENTS_PREFIX}handoff.to_agent`] = to;
  return { name: to ? `handoff ${to}` : 'handoff', attributes };
}

function guardrail(data: Record<string, unknown>): MappedSpan {
  const name = asString(data.name) ?? 'guardrail';
  const attributes: Attributes = {
    [`${AGENTS_PREFIX}span.type`]: 'guardrail',
    [`${AGENTS_PREFIX}guardrail.name`]: name,
    [`${AGENTS_PREFIX}guardrail.triggered`]: data.triggered === true,
  };
  return { name: `guardrail ${name}`, attributes };
}

/** Custom, task, turn, MCP listing, speech and transcription spans: kept in the tree with their type and scalar data. */
function other(data: Record<string, unknown>): MappedSpan {
  const type = String(data.type);
  const name = asString(data.name);
  const attributes: Attributes = { [`${AGENTS_PREFIX}span.type`]: type };
  if (type === 'turn' && typeof data.turn === 'number') attributes[`${AGENTS_PREFIX}turn`] = data.turn;
  const server = asString(data.server);
  if (server) attributes[`${AGENTS_PREFIX}mcp.server`] = server;
  return { name: name ? `${type} ${name}` : type, attributes };
}
