import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OtlpEncoding } from '../../otlp/index.ts';
import { CONTENT_TYPES, encodeExportTraceResponse, encodeRpcStatus, RpcCode } from '../../otlp/index.ts';
import type { PartialSuccess } from '../../otlp/index.ts';

/** The body encoding a Content-Type names, or undefined (OTLP/HTTP accepts exactly these two). */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const mediaType = contentType?.split(';', 1)[0].trim().toLowerCase();
  if (mediaType === CONTENT_TYPES.protobuf) return 'protobuf';
  if (mediaType === CONTENT_TYPES.json) return 'json';
  return undefined;
}

/** `gzip` → true, identity → false, anything else → undefined (not supported). */
export function isGzip(contentEncoding: string | undefined): boolean | undefined {
  const coding = contentEncoding?.trim().toLowerCase();
  if (coding === undefined || coding === '' || coding === 'identity') return false;
  if (coding === 'gzip' || coding === 'x-gzip') return true;
  return undefined;
}

/** google.rpc.Status code for an HTTP failure status (google/rpc/code.proto's HTTP mapping). */
function rpcCodeOf(status: number): number {
  switch (status) {
    case 400:
    case 413:
      return RpcCode.INVALID_ARGUMENT;
    case 401:
      return RpcCode.UNAUTHENTICATED;
    case 404:
      return 5; // NOT_FOUND
    case 405:
    case 415:
      return RpcCode.UNIMPLEMENTED;
    case 429:
      return RpcCode.RESOURCE_EXHAUSTED;
    case 502:
    case 503:
    case 504:
      return RpcCode.UNAVAILABLE;
    default:
      return RpcCode.INTERNAL;
  }
}

export interface FailureOptions {
  /** Seconds, for 429 / 503 (OTLP/HTTP "Throttling"). */
  readonly retryAfterSeconds?: number;
  /** Close the connection after answering (the request body was not read). */
  readonly close?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
}

export function send(response: ServerResponse, status: number, contentType: string, body: Uint8Array, close: boolean): void {
  if (response.headersSent) return;
  response.statusCode = status;
  response.setHeader('Content-Type', contentType);
  response.setHeader('Content-Length', body.length);
  if (close) response.setHeader('Connection', 'close');
  response.end(body);
}

/**
 * A failure as OTLP/HTTP answers it: a `google.rpc.Status` in the request's
 * encoding (JSON when the request's Content-Type was not one of ours).
 */
export function sendFailure(
  response: ServerResponse,
  status: number,
  encoding: OtlpEncoding | undefined,
  message: string,
  options: FailureOptions = {},
): void {
  if (response.headersSent) return;
  if (options.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(options.retryAfterSeconds));
  for (const [name, value] of Object.entries(options.headers ?? {})) response.setHeader(name, value);
  const bodyEncoding = encoding ?? 'json';
  send(response, status, CONTENT_TYPES[bodyEncoding], encodeRpcStatus(bodyEncoding, rpcCodeOf(status), message), options.close ?? false);
}

/** 200 with an ExportTraceServiceResponse (also the empty logs response: same wire shape). */
export function sendSuccess(response: ServerResponse, encoding: OtlpEncoding, partialSuccess?: PartialSuccess): void {
  send(response, 200, CONTENT_TYPES[encoding], encodeExportTraceResponse(encoding, partialSuccess), false);
}

export function sendText(response: ServerResponse, status: number, text: string): void {
  send(response, status, 'text/plain; charset=utf-8', Buffer.from(`${text}\n`), false);
}

export function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
