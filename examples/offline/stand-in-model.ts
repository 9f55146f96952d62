import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeReply, type ToolResult } from './compose-reply.ts';
import { plannedToolCalls } from './intents.ts';

/**
 * An OpenAI-compatible Chat Completions server on 127.0.0.1 that answers any
 * row of the offline example: it picks tool calls from the user's words
 * (intents.ts), then composes the reply from the tool results it was given
 * (compose-reply.ts) — so its commitments are grounded unless told otherwise.
 * `misstatePricesOf` makes it inflate prices of those services by 20%: the
 * deliberate regression of agent-regressed.ts.
 */

export interface StandInOptions {
  readonly misstatePricesOf?: readonly string[];
}

interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

function answer(messages: ChatMessage[], options: StandInOptions): Record<string, unknown> {
  const system = messages.find((message) => message.role === 'system');
  const language = /language: es/.test(String(system?.content ?? '')) ? 'es' : 'en';
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0 && lastUser === -1; i--) if (messages[i].role === 'user') lastUser = i;
  const userText = String(messages[lastUser]?.content ?? '');
  const since = messages.slice(lastUser + 1);
  const calls = new Map<string, { name: string; arguments: Record<string, unknown> }>();
  for (const message of since) for (const call of message.tool_calls ?? []) calls.set(call.id, { name: call.function.name, arguments: JSON.parse(call.function.arguments) });
  const results: ToolResult[] = since
    .filter((message) => message.role === 'tool')
    .map((message) => ({ ...(calls.get(message.tool_call_id ?? '') ?? { name: 'unknown', arguments: {} }), result: JSON.parse(String(message.content)) }));
  const next = plannedToolCalls(userText, results);
  if (next.length > 0) {
    return {
      role: 'assistant',
      content: null,
      tool_calls: next.map((call, index) => ({ id: `call_${results.length + index}_${call.name}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } })),
    };
  }
  return { role: 'assistant', content: composeReply(results, language, new Set(options.misstatePricesOf ?? [])) };
}

export interface StandInModel {
  readonly baseURL: string;
  close(): Promise<void>;
}

export async function startOfflineStandInModel(options: StandInOptions = {}): Promise<StandInModel> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; messages: ChatMessage[] };
      const message = answer(body.messages, options);
      const promptTokens = Math.ceil(JSON.stringify(body.messages).length / 4);
      const completionTokens = Math.max(1, Math.ceil(String(message.content ?? '').length / 4));
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: `chatcmpl-offline-${Math.random().toString(36).slice(2, 10)}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [{ index: 0, message: { refusal: null, ...message }, finish_reason: message.tool_calls ? 'tool_calls' : 'stop', logprobs: null }],
          usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
        }),
      );
    } catch (error) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: String(error) } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The CLI process ends when its work is done, not when this server would.
  server.unref();
  const { port } = server.address() as AddressInfo;
  return { baseURL: `http://127.0.0.1:${port}/v1`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
