import type { Conversation, GroundingSource, GroundingSourceKind, Turn } from '../../src/model/conversation.ts';

/** Small readable fixtures: a conversation in a few lines. */
export const tool = (text: string | object): GroundingSource => source('tool_result', typeof text === 'string' ? text : JSON.stringify(text));
export const system = (text: string): GroundingSource => source('system_instructions', text);
export const user = (text: string): GroundingSource => source('user_message', text);
export const retrieved = (text: string): GroundingSource => source('retrieved_context', text);

export function source(kind: GroundingSourceKind, text: string): GroundingSource {
  return { kind, text };
}

export function conversationOf(...sources: GroundingSource[]): Conversation & { sources: GroundingSource[] } {
  return { id: 'conv-1', sources };
}

let spans = 0;
export function turnOf(replyText: string): Turn {
  spans++;
  return {
    conversationId: 'conv-1',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: `b7ad6b7169203${String(spans).padStart(3, '0')}`,
    reply: [{ role: 'assistant', parts: [{ type: 'text', content: replyText }] }],
    replyText,
    toolCalls: [],
  };
}
