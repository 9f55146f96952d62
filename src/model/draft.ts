import type { Message, ToolCall } from './messages.ts';
import { toolCall } from './shapes.ts';
import type { SpanOperation } from './span-view.ts';

/**
 * The view under construction. Readers run in precedence order (GenAI semconv,
 * then OpenInference, then OpenLLMetry) and each fills only what is still empty,
 * so a span carrying two spellings of the same thing is read once, semconv first.
 */
export interface Draft {
  readonly operation: SpanOperation;
  /** The span's own name, for tool names that only live there (`execute_tool {name}`). */
  readonly spanName: string;
  agentName?: string;
  systemInstructions: string[];
  inputMessages: Message[];
  outputMessages: Message[];
  toolCalls: ToolCall[];
  retrievedContext: string[];
  inputTokens?: number;
  outputTokens?: number;
  requestModel?: string;
  responseModel?: string;
  responseId?: string;
  provider?: string;
}

export function newDraft(operation: SpanOperation, spanName: string): Draft {
  return { operation, spanName, systemInstructions: [], inputMessages: [], outputMessages: [], toolCalls: [], retrievedContext: [] };
}

/** `execute_tool get_weather` → `get_weather`. */
export function toolNameFromSpanName(spanName: string): string {
  const space = spanName.indexOf(' ');
  return space < 0 ? spanName : spanName.slice(space + 1);
}

/** Tool calls a model asked for in its output: what a chat span contributes to `toolCalls`. */
export function requestedToolCalls(messages: readonly Message[]): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const message of messages) {
    for (const part of message.parts) {
      if (part.type === 'tool_call') calls.push(toolCall(part.id, part.name, part.arguments));
    }
  }
  return calls;
}
