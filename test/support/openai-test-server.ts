import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible HTTP server for tests: the real `openai` client
 * talks to it over loopback. Each test scripts the answers (and the failures)
 * with a handler; every request is recorded for assertions.
 */

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON body, or the raw text when it is not JSON. */
  readonly body: any;
}

export type ScriptedReply =
  /** A JSON answer (status 200 unless given). */
  | { readonly json: unknown; readonly status?: number; readonly headers?: Record<string, string>; readonly delayMs?: number }
  /** Server-sent events: each item is JSON-encoded into a `data:` line, then `data: [DONE]`. */
  | {
      readonly sse: readonly unknown[];
      readonly delayMs?: number;
      readonly done?: boolean;
      /** Leave the response open after the events (a stalled stream); closed when the server stops. */
      readonly keepOpen?: boolean;
    }
  /** Anything else, byte for byte (garbage, HTML error pages…). */
  | { readonly raw: string; readonly status?: number; readonly headers?: Record<string, string>; readonly delayMs?: number }
  /** Never answer (a stalled upstream); the socket is closed when the server stops. */
  | { readonly hang: true }
  /** Drop the connection without an answer. */
  | { readonly destroy: true };

export type ScriptHandler = (request: RecordedRequest, index: number) => ScriptedReply | Promise<ScriptedReply>;

export interface OpenAITestServer {
  /** e.g. `http://127.0.0.1:PORT/v1` — pass as the client's `baseURL`. */
  readonly baseURL: string;
  readonly requests: RecordedRequest[];
  setHandler(handler: ScriptHandler): void;
  close(): Promise<void>;
}

export async function startOpenAITestServer(handler: ScriptHandler): Promise<OpenAITestServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req, res) => {
    void serve(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the raw text: a test may assert on it
    }
    const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
    requests.push(recorded);
    let reply: ScriptedReply;
    try {
      reply = await current(recorded, requests.length - 1);
    } catch (error) {
      reply = { json: { error: { message: String(error) } }, status: 500 };
    }
    if ('hang' in reply) return;
    if ('destroy' in reply) {
      req.socket.destroy();
      return;
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if ('sse' in reply) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const event of reply.sse) res.write(`data: ${JSON.stringify(event)}\n\n`);
      if (reply.keepOpen) return;
      if (reply.done !== false) res.write('data: [DONE]\n\n');
      res.end();
      return;
    }
    if ('json' in reply) {
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.json));
      return;
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain', ...reply.headers });
    res.end(reply.raw);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    setHandler(next) {
      current = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A minimal Chat Completions answer, for handlers. */
export function chatCompletion(content: string | null, extra: Record<string, unknown> = {}): unknown {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'test-model',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    ...extra,
  };
}
