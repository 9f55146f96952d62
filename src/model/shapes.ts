import type { Message, MessagePart, ToolCall } from './messages.ts';

/**
 * Builders for normalized values shared by the three readers. Optional fields
 * are left out rather than set to undefined, so views from different sources
 * of the same content compare equal.
 */

export function textMessage(role: string, content: string): Message {
  return { role, parts: [{ type: 'text', content }] };
}

export function toolCallPart(id: string | undefined, name: string, args: unknown): MessagePart {
  const part: { type: 'tool_call'; id?: string; name: string; arguments?: unknown } = { type: 'tool_call', name };
  if (id !== undefined) part.id = id;
  if (args !== undefined) part.arguments = args;
  return part;
}

export function toolResponsePart(id: string | undefined, response: unknown): MessagePart {
  return id === undefined ? { type: 'tool_call_response', response } : { type: 'tool_call_response', id, response };
}

export function toolCall(id: string | undefined, name: string, args: unknown, result?: unknown): ToolCall {
  const call: { id?: string; name: string; arguments?: unknown; result?: unknown } = { name };
  if (id !== undefined) call.id = id;
  if (args !== undefined) call.arguments = args;
  if (result !== undefined) call.result = result;
  return call;
}
