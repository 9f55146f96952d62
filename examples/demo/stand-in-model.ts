import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { routineScenarios } from './routine-traffic.ts';
import { scenarios, type ScriptedTurn } from './scenarios.ts';
import { isJudgeRequest, judge, madeUpValues, notedValue } from './stand-in-judge.ts';

/**
 * A scripted OpenAI-compatible Chat Completions server on 127.0.0.1, used when
 * no real model is configured. It recognises the user's latest line, asks for
 * the scripted tool calls first, and once tool results are in, answers with
 * the scripted reply (streamed when the request asks for it). Requests from
 * tracejudge's LLM judge get a scripted judgment (stand-in-judge.ts).
 */

const allScenarios = [...scenarios, ...routineScenarios];
const turnsByUserText = new Map<string, ScriptedTurn>();
for (const scenario of allScenarios) for (const turn of scenario.turns) turnsByUserText.set(turn.user, turn);
const MADE_UP = madeUpValues(allScenarios);

interface ChatMessage {
  role: string;
  content?: unknown;
}

function lastUserText(messages: ChatMessage[]): { text: string; toolResultsSince: boolean } {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message.role === 'user') {
      const toolResultsSince = messages.slice(i + 1).some((later) => later.role === 'tool');
      return { text: typeof message.content === 'string' ? message.content : JSON.stringify(message.content), toolResultsSince };
    }
  }
  return { text: '', toolResultsSince: false };
}

function completion(model: string, message: Record<string, unknown>, finishReason: string, promptChars: number, promptTokens?: number): unknown {
  const content = typeof message.content === 'string' ? message.content : '';
  const prompt = promptTokens ?? Math.ceil(promptChars / 4);
  const completionTokens = Math.max(1, Math.ceil(content.length / 4));
  return {
    id: `chatcmpl-standin-${Math.random().toString(36).slice(2, 10)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { refusal: null, ...message }, finish_reason: finishReason, logprobs: null }],
    usage: { prompt_tokens: prompt, completion_tokens: completionTokens, total_tokens: prompt + completionTokens },
  };
}

/** What the stand-in says: the script as the live demo runs it, or `fixed` (the release after the loop's fix). */
export interface StandInOptions {
  /** Replies that make a value up lose the sentence that states it (the agent learned to look it up or not say it). */
  readonly fixed?: boolean;
  /** Where it listens: 127.0.0.1 on a free port unless told (the compose stack serves it to the collector's judge). */
  readonly host?: string;
  readonly port?: number;
}

/** A scripted reply without its made-up value: the sentences that state it go; nothing left → it defers to a person. */
export function fixedReply(turn: ScriptedTurn): string {
  const value = turn.hallucinates && notedValue(turn.hallucinates);
  if (!value) return turn.reply;
  const kept = turn.reply.split(/(?<=[.!?])\s+/).filter((sentence) => !sentence.includes(value));
  return kept.length > 0 ? kept.join(' ') : 'Let me check that with a colleague before I confirm anything.';
}

export function answer(body: { model: string; messages: ChatMessage[]; response_format?: { type?: string } }, options: StandInOptions = {}): {
  message: Record<string, unknown>;
  finishReason: string;
  turn?: ScriptedTurn;
} {
  if (isJudgeRequest(body)) return { message: { role: 'assistant', content: JSON.stringify(judge(body, MADE_UP)) }, finishReason: 'stop' };
  const { text, toolResultsSince } = lastUserText(body.messages);
  const turn = turnsByUserText.get(text);
  if (!turn) return { message: { role: 'assistant', content: "I'm the demo stand-in model and have no script for that." }, finishReason: 'stop' };
  if (turn.toolCalls?.length && !toolResultsSince) {
    const toolCalls = turn.toolCalls.map((call, index) => ({
      id: `call_${index}_${call.name}`,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    }));
    return { message: { role: 'assistant', content: null, tool_calls: toolCalls }, finishReason: 'tool_calls', turn };
  }
  return { message: { role: 'assistant', content: options.fixed ? fixedReply(turn) : turn.reply }, finishReason: 'stop', turn };
}

export interface StandInModel {
  readonly baseURL: string;
  close(): Promise<void>;
}

export async function startStandInModel(options: StandInOptions = {}): Promise<StandInModel> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
      return;
    }
    let body: { model: string; messages: ChatMessage[]; stream?: boolean; response_format?: { type?: string } };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'body is not JSON' } }));
      return;
    }
    const promptChars = JSON.stringify(body.messages).length;
    const { message, finishReason, turn } = answer(body, options);
    if (turn?.latencyMs) await new Promise((resolve) => setTimeout(resolve, turn.latencyMs));
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(body.model, message, finishReason, promptChars, turn?.promptTokens)));
      return;
    }
    // Streaming: content in word-sized deltas, tool calls whole, usage in a last chunk.
    const id = `chatcmpl-standin-${Math.random().toString(36).slice(2, 10)}`;
    const chunk = (delta: unknown, finish: string | null, usage?: unknown) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model, choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk({ role: 'assistant', content: '' }, null));
    if (typeof message.content === 'string') {
      for (const word of message.content.match(/\S+\s*/g) ?? []) res.write(chunk({ content: word }, null));
    }
    if (Array.isArray(message.tool_calls)) {
      res.write(chunk({ tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) }, null));
    }
    res.write(chunk({}, finishReason));
    const completionTokens = Math.max(1, Math.ceil(String(message.content ?? '').length / 4));
    const promptTokens = turn?.promptTokens ?? Math.ceil(promptChars / 4);
    res.write(chunk(null, null, { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens }));
    res.end('data: [DONE]\n\n');
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  // An offline agent module starts one lazily and never closes it: it must not keep the process alive.
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
