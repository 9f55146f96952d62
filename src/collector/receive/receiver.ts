import { createServer } from 'node:http';
import type { MeterProvider } from '@opentelemetry/api';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DecodedLogsRequest, DecodedSpan, OtlpEncoding, SpanRejection } from '../../otlp/index.ts';
import { decodeLogsRequest, decodeTraceRequest, encodeExportLogsResponse, OtlpDecodeError } from '../../otlp/index.ts';
import { RequestAuthenticator } from './auth.ts';
import type { ReceiverAuth } from './auth.ts';
import { inflateWithin, InFlightBytes, readBody } from './body.ts';
import { encodingOf, isGzip, pathOf, send, sendFailure, sendSuccess, sendText } from './http.ts';
import { CONTENT_TYPES } from '../../otlp/index.ts';
import { observeReceiver } from './metrics.ts';
import { partialSuccessOf } from './partial-success.ts';
import type { ReceiverStats } from './stats.ts';
import type { LogsForwardResult } from '../forward/span-forwarder.ts';

/** Where the receiver hands what it accepted (the collector service). */
export interface ReceiverIntake {
  /**
   * Takes decoded spans (evaluate, forward), or says why not, retryably. Never throws.
   * `bodyBytes`: the request's decoded body size, an estimate of what the spans will queue.
   */
  acceptSpans(
    spans: DecodedSpan[],
    bodyBytes: number,
  ): { readonly accepted: true } | { readonly accepted: false; readonly status: 429 | 503; readonly message: string };
  /**
   * Takes a decoded logs request (GenAI content joins its spans) and relays `body`, the request's
   * bytes as sent (`contentEncoding` gzip or none), to the upstream's logs endpoint when there is one. Never throws.
   */
  acceptLogs(decoded: DecodedLogsRequest, body: Buffer, contentType: string, contentEncoding?: string): Promise<LogsForwardResult>;
  /** `undefined` when ready to take spans, else why not (for /readyz). */
  notReadyReason(): string | undefined;
}

export interface ReceiverOptions {
  readonly host: string;
  readonly port: number;
  /** Per request, after decompression (OTLP spec recommends 64 MiB). */
  readonly maxBodyBytes: number;
  /** Over all requests being read at once; beyond it requests get 503. */
  readonly maxInFlightBytes: number;
  readonly retryAfterSeconds: number;
  /** Request headers must arrive within this; else Node answers 408 and closes (Node's `headersTimeout`). */
  readonly headersTimeoutMs: number;
  /** The body must arrive within this after its headers; else 408, the connection closed, counted. */
  readonly bodyTimeoutMs: number;
  readonly auth?: ReceiverAuth;
  /** Where the receiver's `tracejudge.receiver.*` counters go; none when absent. */
  readonly meterProvider?: MeterProvider;
}

export const DEFAULT_RECEIVER_OPTIONS: ReceiverOptions = {
  host: '127.0.0.1',
  port: 4318,
  maxBodyBytes: 64 * 1024 * 1024,
  maxInFlightBytes: 256 * 1024 * 1024,
  retryAfterSeconds: 5,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
};

export type { ReceiverStats } from './stats.ts';

/**
 * OTLP/HTTP receiver (opentelemetry-proto docs/specification.md, "OTLP/HTTP"):
 * `POST /v1/traces` in protobuf or JSON on one port, gzip or identity, answered
 * in the request's encoding; `POST /v1/logs` decoded (GenAI content joins its spans) and relayed; `/healthz`,
 * `/readyz`. Memory is bounded by the body limit and the in-flight bytes bound.
 */
export class OtlpHttpReceiver {
  readonly #intake: ReceiverIntake;
  readonly #options: ReceiverOptions;
  readonly #auth: RequestAuthenticator;
  readonly #budget: InFlightBytes;
  readonly #server: Server;
  readonly #requests: Record<string, number> = Object.create(null);
  #spansAccepted = 0;
  #spansRejected = 0;
  #logRecordsAccepted = 0;
  #logRecordsRejected = 0;
  #bytesReceived = 0;
  #unobserve: (() => void) | undefined;
  #active = 0;
  #draining = false;
  #idleWaiters: (() => void)[] = [];

  constructor(intake: ReceiverIntake, options: Partial<ReceiverOptions> = {}) {
    this.#intake = intake;
    const merged = { ...DEFAULT_RECEIVER_OPTIONS, ...options };
    // A bound below the body limit would refuse the largest allowed request forever, retries included.
    this.#options = { ...merged, maxInFlightBytes: Math.max(merged.maxInFlightBytes, merged.maxBodyBytes) };
    this.#auth = new RequestAuthenticator(this.#options.auth);
    this.#budget = new InFlightBytes(this.#options.maxInFlightBytes);
    // Node's own request timeout stays as a backstop behind ours (which answers 408 and counts it).
    this.#server = createServer(
      { headersTimeout: this.#options.headersTimeoutMs, requestTimeout: this.#options.headersTimeoutMs + this.#options.bodyTimeoutMs + 5_000 },
      (request, response) => void this.#handle(request, response),
    );
    if (options.meterProvider) this.#unobserve = observeReceiver(options.meterProvider, () => this.stats());
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.removeListener('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  /**
   * Stops taking requests (new connections are refused, requests on open
   * connections get 503) and resolves when the requests being handled are done.
   */
  async drain(): Promise<void> {
    this.#draining = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    if (this.#active > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    this.#server.closeAllConnections();
    await closed;
  }

  /** Stops reporting metrics (after `drain`; the counters keep their last values in `stats`). */
  unobserve(): void {
    this.#unobserve?.();
    this.#unobserve = undefined;
  }

  get draining(): boolean {
    return this.#draining;
  }

  stats(): ReceiverStats {
    return {
      requests: { ...this.#requests },
      spansAccepted: this.#spansAccepted,
      spansRejected: this.#spansRejected,
      logRecordsAccepted: this.#logRecordsAccepted,
      logRecordsRejected: this.#logRecordsRejected,
      bytesReceived: this.#bytesReceived,
      inFlightBytes: this.#budget.held,
    };
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.#active++;
    response.on('finish', () => {
      const key = `${pathOf(request)} ${response.statusCode}`;
      this.#requests[key] = (this.#requests[key] ?? 0) + 1;
    });
    try {
      await this.#route(request, response);
    } catch (error) {
      sendFailure(response, 500, encodingOf(request.headers['content-type']), `internal error: ${(error as Error).message}`);
    } finally {
      // A request answered before its body was read (401, 413, 415…): discard the rest, so the
      // client finishes sending and reads the answer instead of meeting a reset connection.
      if (!request.readableEnded) request.resume();
      if (--this.#active === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = pathOf(request);
    if (path === '/healthz') return sendText(response, 200, 'ok');
    if (path === '/readyz') {
      const reason = this.#draining ? 'shutting down' : this.#intake.notReadyReason();
      return reason === undefined ? sendText(response, 200, 'ready') : sendText(response, 503, `not ready: ${reason}`);
    }
    if (path !== '/v1/traces' && path !== '/v1/logs') {
      return sendFailure(response, 404, undefined, `no such endpoint ${path}; OTLP/HTTP endpoints are /v1/traces and /v1/logs`);
    }
    const encoding = encodingOf(request.headers['content-type']);
    if (request.method !== 'POST') {
      return sendFailure(response, 405, encoding, `${request.method} ${path}: OTLP/HTTP takes POST`, { headers: { Allow: 'POST' } });
    }
    if (this.#draining) {
      return sendFailure(response, 503, encoding, 'shutting down', { retryAfterSeconds: this.#options.retryAfterSeconds, close: true });
    }
    const denied = this.#auth.check(request.headers);
    if (denied !== undefined) {
      return sendFailure(response, 401, encoding, `unauthenticated: ${denied}`, { headers: { 'WWW-Authenticate': 'Bearer' }, close: true });
    }
    if (encoding === undefined) {
      const given = request.headers['content-type'] ?? '(none)';
      return sendFailure(response, 415, undefined, `unsupported Content-Type ${given}; use application/x-protobuf or application/json`, { close: true });
    }
    const gzip = isGzip(request.headers['content-encoding']);
    if (gzip === undefined) {
      const message = `unsupported Content-Encoding ${request.headers['content-encoding']}; use gzip or none`;
      return sendFailure(response, 415, encoding, message, { close: true });
    }
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (!gzip && declared > this.#options.maxBodyBytes) {
      const message = `request body of ${declared} bytes exceeds the ${this.#options.maxBodyBytes}-byte limit`;
      return sendFailure(response, 413, encoding, message, { close: true });
    }
    if (path === '/v1/logs') return this.#logs(request, response, encoding, gzip);
    return this.#traces(request, response, encoding, gzip);
  }

  async #traces(request: IncomingMessage, response: ServerResponse, encoding: OtlpEncoding, gzip: boolean): Promise<void> {
    const read = await readBody(request, gzip, { maxBytes: this.#options.maxBodyBytes, budget: this.#budget, deadlineMs: this.#options.bodyTimeoutMs });
    if (!read.ok) return this.#bodyFailure(response, encoding, read.status, read.message);
    this.#bytesReceived += read.body.byteLength;
    try {
      const decoded = decodeTraceRequest(read.body, encoding);
      if (decoded.spans.length > 0) {
        const outcome = this.#intake.acceptSpans(decoded.spans, read.body.byteLength);
        if (!outcome.accepted) {
          return sendFailure(response, outcome.status, encoding, outcome.message, { retryAfterSeconds: this.#options.retryAfterSeconds });
        }
      }
      this.#spansAccepted += decoded.spans.length;
      this.#spansRejected += decoded.rejected.length;
      // OTLP: spans that cannot be used are a partial success (200, the client must not retry them).
      sendSuccess(response, encoding, partialSuccessOf(decoded.rejected));
    } catch (error) {
      if (!(error instanceof OtlpDecodeError)) throw error;
      // OTLP: 400 for bad data; the client must not retry.
      sendFailure(response, 400, encoding, `invalid OTLP ${encoding} ExportTraceServiceRequest: ${error.message}`);
    } finally {
      this.#budget.release(read.held);
    }
  }

  async #logs(request: IncomingMessage, response: ServerResponse, encoding: OtlpEncoding, gzip: boolean): Promise<void> {
    // Read as sent (it is relayed as sent, gzip included), then inflated within the same limit to be
    // decoded: GenAI content records join their spans.
    const read = await readBody(request, false, { maxBytes: this.#options.maxBodyBytes, budget: this.#budget, deadlineMs: this.#options.bodyTimeoutMs });
    if (!read.ok) return this.#bodyFailure(response, encoding, read.status, read.message);
    let inflatedHeld = 0;
    try {
      let plain = read.body;
      if (gzip) {
        const inflated = await inflateWithin(read.body, this.#options.maxBodyBytes);
        if (!inflated.ok) return this.#bodyFailure(response, encoding, inflated.status, inflated.message);
        if (!this.#budget.take(inflated.body.byteLength)) {
          return this.#bodyFailure(response, encoding, 503, 'receiver busy: too many request bytes in flight; retry later');
        }
        inflatedHeld = inflated.body.byteLength;
        plain = inflated.body;
      }
      this.#bytesReceived += plain.byteLength;
      let decoded: DecodedLogsRequest;
      try {
        decoded = decodeLogsRequest(plain, encoding);
      } catch (error) {
        if (!(error instanceof OtlpDecodeError)) throw error;
        // OTLP: 400 for bad data; the client must not retry.
        return sendFailure(response, 400, encoding, `invalid OTLP ${encoding} ExportLogsServiceRequest: ${error.message}`);
      }
      const contentEncoding = gzip ? (request.headers['content-encoding'] as string) : undefined;
      const result = await this.#intake.acceptLogs(decoded, read.body, request.headers['content-type'] as string, contentEncoding);
      if (result.status >= 200 && result.status < 300) {
        this.#logRecordsAccepted += decoded.records.length;
        this.#logRecordsRejected += decoded.rejected.length;
        // OTLP: records that cannot be used are a partial success (200; the client must not retry them).
        const partial = partialSuccessOf(decoded.rejected, 'log records could not be read (forwarded as received, not evaluated)');
        return send(response, 200, CONTENT_TYPES[encoding], encodeExportLogsResponse(encoding, partial), false);
      }
      const retryAfterSeconds =
        result.status === 429 || result.status === 503
          ? Math.max(1, Math.ceil((result.retryAfterMs ?? this.#options.retryAfterSeconds * 1000) / 1000))
          : undefined;
      sendFailure(response, result.status, encoding, result.message ?? `logs upstream answered ${result.status}`, { retryAfterSeconds });
    } finally {
      this.#budget.release(read.held + inflatedHeld);
    }
  }

  #bodyFailure(response: ServerResponse, encoding: OtlpEncoding, status: 400 | 408 | 413 | 503, message: string): void {
    const retryAfterSeconds = status === 503 ? this.#options.retryAfterSeconds : undefined;
    sendFailure(response, status, encoding, message, { retryAfterSeconds, close: status !== 400 });
  }
}
