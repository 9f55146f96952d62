/**
 * Normalized message shapes, after GenAI semconv (REFERENCE.md, "Message JSON").
 * OpenInference and OpenLLMetry spellings are mapped into these by `normalize`.
 */

export type MessagePart =
  | { readonly type: 'text'; readonly content: string }
  | { readonly type: 'tool_call'; readonly id?: string; readonly name: string; readonly arguments?: unknown }
  | { readonly type: 'tool_call_response'; readonly id?: string; readonly response: unknown }
  | { readonly type: 'reasoning'; readonly content: string }
  /** blob, file, uri and unknown part types: kept, not interpreted. */
  | { readonly type: 'other'; readonly originalType: string; readonly raw: unknown };

export type Role = 'system' | 'user' | 'assistant' | 'tool' | (string & {});

export interface Message {
  readonly role: Role;
  readonly parts: readonly MessagePart[];
  readonly name?: string;
  readonly finishReason?: string;
}

export interface ToolCall {
  readonly id?: string;
  readonly name: string;
  readonly arguments?: unknown;
  readonly result?: unknown;
}

export function messageText(message: Message): string {
  let text = '';
  for (const part of message.parts) {
    if (part.type === 'text') text = text ? `${text}\n${part.content}` : part.content;
  }
  return text;
}
