import { z } from 'zod';
import { defineSection } from './section.ts';
import { duration, positiveInt } from './fields.ts';
import { HEADER_NAME } from './forward.ts';

/**
 * Collector mode, receiving side (`tracejudge collect`): where the OTLP/HTTP receiver
 * listens, how much it reads, and what a sender must present. Secrets are never written
 * here: auth names the environment variables that hold them, so the file can be shared.
 */

const LISTEN = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/;

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * `127.0.0.1:4318`, `[::1]:4318`, `:4318` (an empty host is 127.0.0.1: listening on all
 * interfaces is written out, `0.0.0.0:4318`). Undefined when malformed.
 */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = LISTEN.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

export function listenAddress() {
  const message = 'expected HOST:PORT, e.g. 127.0.0.1:4318 or 0.0.0.0:4318';
  return z
    .string({ error: message })
    .transform((text, context) => {
      const parsed = parseListenAddress(text);
      if (parsed === undefined) {
        context.issues.push({ code: 'custom', message, input: text });
        return z.NEVER;
      }
      return parsed;
    });
}

/** A POSIX-style variable name: what `${NAME}` and a shell accept. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = () =>
  z.string({ error: 'expected an environment variable name' }).regex(ENV_NAME, { error: 'expected an environment variable name like MY_TOKEN' });

export const DEFAULT_BEARER_TOKEN_ENV = 'TRACEJUDGE_RECEIVER_BEARER_TOKEN';

export const ReceiverConfigSchema = z
  .strictObject({
    listen: listenAddress().prefault('127.0.0.1:4318'),
    /** OTLP/gRPC (`TraceService/Export`, `LogsService/Export`) beside OTLP/HTTP, or `off`. */
    grpcListen: z.union([z.literal('off'), listenAddress()], { error: 'expected HOST:PORT (e.g. 127.0.0.1:4317) or off' }).prefault('127.0.0.1:4317'),
    /** Per request, after decompression; larger ones get 413 (OTLP spec recommends 64 MiB). */
    maxBodyBytes: positiveInt().prefault(64 * 1024 * 1024),
    /** Over all requests being read at once; beyond it 503 + Retry-After. Never below maxBodyBytes. */
    maxInFlightBytes: positiveInt().prefault(256 * 1024 * 1024),
    /** Request headers must arrive within this, else 408 and the connection is closed. */
    headersTimeout: duration().pipe(z.number().positive({ error: 'expected a duration above 0' })).prefault('10s'),
    /** The request body must arrive within this after its headers, else 408, the connection closed, counted. */
    bodyTimeout: duration().pipe(z.number().positive({ error: 'expected a duration above 0' })).prefault('30s'),
    /** Sent with 429 / 503 answers (rounded up to whole seconds on the wire). */
    retryAfter: duration()
      .pipe(z.number().min(1000, { error: 'expected at least 1s (Retry-After is in whole seconds)' }))
      .prefault('5s'),
    auth: z
      .strictObject({
        /**
         * The variable holding the bearer token senders must present
         * (`Authorization: Bearer <token>`). Written here, the variable must be set;
         * by default TRACEJUDGE_RECEIVER_BEARER_TOKEN is used when it is set.
         */
        bearerTokenEnv: envName().optional(),
        /** Header name → the variable holding the value senders must present (e.g. `x-api-key: COLLECT_API_KEY`). */
        headers: z
          .record(z.string(), envName())
          // Checked here rather than as the record's key schema, so the issue names the key and says why.
          .superRefine((headers, context) => {
            for (const name of Object.keys(headers)) {
              if (!HEADER_NAME.test(name)) context.addIssue({ code: 'custom', path: [name], message: 'expected an HTTP header name (RFC 9110 token)', input: name });
            }
          })
          .optional(),
      })
      .prefault({}),
  })
  .prefault({});

export type ReceiverConfig = z.output<typeof ReceiverConfigSchema>;

export const receiverSection = defineSection(ReceiverConfigSchema, {
  TRACEJUDGE_RECEIVER_LISTEN: 'listen',
  TRACEJUDGE_RECEIVER_GRPC_LISTEN: 'grpcListen',
  TRACEJUDGE_RECEIVER_MAX_BODY_BYTES: 'maxBodyBytes',
  TRACEJUDGE_RECEIVER_MAX_IN_FLIGHT_BYTES: 'maxInFlightBytes',
});
