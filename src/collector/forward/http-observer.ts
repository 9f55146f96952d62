import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { isRetryableStatus, parseRetryAfter } from './retry.ts';

/**
 * Watches the HTTP requests made through one agent, via Node's public `http.client.*`
 * diagnostics channels, to learn what the OTLP exporter does not report:
 * - its own retries (otlp-exporter-base retries 429/502/503/504 and network errors up to 5
 *   times within `timeoutMillis`): every request started on the agent is an attempt;
 * - the upstream's Retry-After: when a retryable answer outlives the exporter's retries, its
 *   `ExportResult.error` carries neither the status nor Retry-After;
 * - bytes written, per socket (requests on a keep-alive socket are sequential, so the growth of
 *   `socket.bytesWritten` between answers is one request, headers and compressed body).
 * The forwarder gives the exporter an agent of its own, so nothing else is counted.
 */
export class UpstreamObserver {
  private readonly agent: Agent;
  private readonly now: () => number;
  private readonly lastWritten = new WeakMap<Socket, number>();
  private throttle: { at: number; retryAfterMs: number } | undefined;
  attempts = 0;
  bytesWritten = 0;

  constructor(agent: Agent, now: () => number) {
    this.agent = agent;
    this.now = now;
    subscribe('http.client.request.start', this.onStart);
    subscribe('http.client.response.finish', this.onResponse);
  }

  /** The latest Retry-After on a retryable answer received at or after `sinceMs`. */
  retryAfterSince(sinceMs: number): number | undefined {
    return this.throttle && this.throttle.at >= sinceMs ? this.throttle.retryAfterMs : undefined;
  }

  close(): void {
    unsubscribe('http.client.request.start', this.onStart);
    unsubscribe('http.client.response.finish', this.onResponse);
  }

  private ours(request: ClientRequest): boolean {
    return (request as ClientRequest & { agent?: unknown }).agent === this.agent;
  }

  private readonly onStart = (message: unknown): void => {
    if (this.ours((message as { request: ClientRequest }).request)) this.attempts++;
  };

  private readonly onResponse = (message: unknown): void => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    if (!this.ours(request)) return;
    const socket = request.socket;
    if (socket) {
      const written = socket.bytesWritten;
      this.bytesWritten += written - (this.lastWritten.get(socket) ?? 0);
      this.lastWritten.set(socket, written);
    }
    const status = response.statusCode ?? 0;
    if (!isRetryableStatus(status)) return;
    const at = this.now();
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], at);
    if (retryAfterMs !== undefined) this.throttle = { at, retryAfterMs };
  };
}
