import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { parseRetryAfter } from './retry.ts';

/**
 * One POST of an already encoded OTLP body, for what the OTLP exporters cannot send: batches
 * read back from the persistent queue (already serialized, so re-encoding would need the spans
 * we no longer hold) and logs requests relayed byte for byte. One attempt; retries are the
 * caller's. Never rejects.
 */

export interface PostTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly agent: HttpAgent;
}

export type PostOutcome =
  | { readonly kind: 'answer'; readonly status: number; readonly retryAfterMs?: number; readonly body: string }
  | { readonly kind: 'error'; readonly error: Error };

const USER_AGENT = 'tracejudge-forwarder';
// Enough of an error answer to explain a rejection in a log line.
const MAX_ANSWER_BYTES = 16 * 1024;

export function createAgent(url: string, maxSockets: number): HttpAgent {
  const options = { keepAlive: true, maxSockets };
  return new URL(url).protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
}

export function postOtlp(
  target: PostTarget,
  body: Uint8Array,
  contentType: string,
  contentEncoding: string | undefined,
  signal?: AbortSignal,
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const url = new URL(target.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string | number> = {
      ...target.headers,
      'User-Agent': USER_AGENT,
      'Content-Type': contentType,
      'Content-Length': body.byteLength,
    };
    if (contentEncoding) headers['Content-Encoding'] = contentEncoding;
    const request = send(url, { method: 'POST', headers, agent: target.agent, signal }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      response.on('end', () =>
        settle({
          kind: 'answer',
          status: response.statusCode ?? 0,
          retryAfterMs: parseRetryAfter(response.headers['retry-after'], Date.now()),
          body: Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8'),
        }),
      );
      response.on('error', (error) => settle({ kind: 'error', error }));
    });
    // A deadline for the whole exchange, not only socket idleness (a slow drip would pass that).
    const timer = setTimeout(() => request.destroy(Object.assign(new Error('Request timed out'), { code: 'ETIMEDOUT' })), target.timeoutMs);
    request.on('error', (error) => settle({ kind: 'error', error }));
    request.end(body);
  });
}
