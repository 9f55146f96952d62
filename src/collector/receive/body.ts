import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip, gunzip } from 'node:zlib';

/**
 * Bytes of request bodies held at once over all requests: the receiver's
 * memory bound. A request that would pass it is answered 503 (retryable)
 * instead of being buffered.
 */
export class InFlightBytes {
  readonly limit: number;
  #held = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  get held(): number {
    return this.#held;
  }

  take(bytes: number): boolean {
    if (this.#held + bytes > this.limit) return false;
    this.#held += bytes;
    return true;
  }

  release(bytes: number): void {
    this.#held -= bytes;
  }
}

export type BodyResult =
  | { readonly ok: true; readonly body: Buffer; /** Bytes to give back to the budget when done with the body. */ readonly held: number }
  | { readonly ok: false; readonly status: 400 | 408 | 413 | 503; readonly message: string };

export interface BodyLimits {
  /** After decompression (OTLP spec: limit the size after decompression too). */
  readonly maxBytes: number;
  readonly budget: InFlightBytes;
  /** The whole body must arrive within this (a body that trickles or never finishes holds its socket): 408. */
  readonly deadlineMs?: number;
}

/**
 * Reads a request body, inflating gzip as a stream: the decompressed size is
 * counted chunk by chunk and reading stops at the limit, so a gzip bomb is
 * refused after `maxBytes` of output, never inflated whole.
 */
export function readBody(request: IncomingMessage, gzip: boolean, limits: BodyLimits): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const gunzip = gzip ? createGunzip() : undefined;
    const source: Readable = gunzip ?? request;

    // A body that never finishes would keep its socket and its share of the in-flight bytes.
    const deadline = limits.deadlineMs === undefined ? undefined : setTimeout(() => {
      settle({ ok: false, status: 408, message: `request body not received within ${limits.deadlineMs} ms` });
    }, limits.deadlineMs);
    deadline?.unref();

    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      if (deadline !== undefined) clearTimeout(deadline);
      source.removeListener('data', onData);
      if (gunzip !== undefined) {
        request.unpipe(gunzip);
        gunzip.destroy();
      }
      if (!result.ok) {
        limits.budget.release(size);
        chunks.length = 0;
        // Discard the rest of what the client sends, so it can read our answer.
        request.resume();
      }
      resolve(result);
    };

    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) {
        size -= chunk.length;
        settle({
          ok: false,
          status: 413,
          message: `request body exceeds the ${limits.maxBytes}-byte limit${gzip ? ' after gzip decompression' : ''}`,
        });
        return;
      }
      if (!limits.budget.take(chunk.length)) {
        size -= chunk.length;
        settle({ ok: false, status: 503, message: 'receiver busy: too many request bytes in flight; retry later' });
        return;
      }
      chunks.push(chunk);
    };

    source.on('data', onData);
    source.on('end', () => settle({ ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size), held: size }));
    gunzip?.on('error', (error) => settle({ ok: false, status: 400, message: `invalid gzip body: ${error.message}` }));
    request.on('error', () => settle({ ok: false, status: 400, message: 'request body could not be read' }));
    request.on('close', () => {
      if (!request.complete) settle({ ok: false, status: 400, message: 'request aborted by the client' });
    });
    if (gunzip !== undefined) request.pipe(gunzip);
  });
}

/**
 * Inflates a gzip body read as sent, off the main thread, stopping at `maxBytes` of output (a
 * gzip bomb is refused, never inflated whole): for bodies kept as sent to be relayed.
 */
export function inflateWithin(body: Buffer, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    gunzip(body, { maxOutputLength: maxBytes }, (error, inflated) => {
      if (error === null) return resolve({ ok: true, body: inflated, held: 0 });
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        return resolve({ ok: false, status: 413, message: `request body exceeds the ${maxBytes}-byte limit after gzip decompression` });
      }
      resolve({ ok: false, status: 400, message: `invalid gzip body: ${error.message}` });
    });
  });
}
