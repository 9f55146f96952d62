import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Agent, ClientRequest } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Counts the bytes written by the HTTP requests made through one agent (headers and, gzip
 * included, the body as sent), via Node's public `http.client.response.finish` diagnostics channel:
 * requests on a keep-alive socket are sequential, so the growth of `socket.bytesWritten` between
 * answers is one request. The forwarder's trace requests have an agent of their own, so nothing
 * else is counted.
 */
export class UpstreamObserver {
  private readonly agent: Agent;
  private readonly lastWritten = new WeakMap<Socket, number>();
  bytesWritten = 0;

  constructor(agent: Agent) {
    this.agent = agent;
    subscribe('http.client.response.finish', this.onResponse);
  }

  close(): void {
    unsubscribe('http.client.response.finish', this.onResponse);
  }

  private readonly onResponse = (message: unknown): void => {
    const { request } = message as { request: ClientRequest };
    if ((request as ClientRequest & { agent?: unknown }).agent !== this.agent) return;
    const socket = request.socket;
    if (!socket) return;
    const written = socket.bytesWritten;
    this.bytesWritten += written - (this.lastWritten.get(socket) ?? 0);
    this.lastWritten.set(socket, written);
  };
}
