import { z } from 'zod';
import { defineSection } from './section.ts';
import { booleanish, duration, nonEmptyString, positiveInt } from './fields.ts';

/**
 * Collector mode, forwarding side: where spans go after evaluation, and how hard we try.
 * Absent = no forwarding. The standard `OTEL_EXPORTER_OTLP_*` variables are read by
 * `forwardConfigFromEnv` (src/collector/forward/config-from-env.ts), not through the section
 * env map, because the OTel rules (signal-specific over generic, `/v1/traces` appended to the
 * generic endpoint, `k=v` header lists) do not fit a variable → field map.
 */

function httpUrl() {
  const message = 'expected an http:// or https:// URL';
  return z.string({ error: message }).trim().refine(isHttpUrl, { error: message });
}

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === 'http:' || protocol === 'https:';
}

function positiveDuration() {
  return duration().pipe(z.number().positive({ error: 'expected a duration greater than 0' }));
}

// RFC 9110 §5.1 token, and a field value without CR/LF/NUL: Node refuses anything else at
// request time, which would fail every export instead of failing once at startup.
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const headerMap = z.record(
  z.string().regex(HEADER_NAME, { error: 'expected an HTTP header name (RFC 9110 token)' }),
  z.string({ error: 'expected a string header value' }).regex(HEADER_VALUE, { error: 'expected a header value without control characters' }),
);

export const ForwardRetrySchema = z
  .strictObject({
    /** First wait after a retryable failure; doubles per attempt (±50% jitter) up to maxBackoff. */
    initialBackoff: positiveDuration().prefault('1s'),
    maxBackoff: positiveDuration().prefault('30s'),
    /** Give a batch up (dropped, `retries_exhausted`) after this long; 0 = never (as the Collector's `max_elapsed_time`). */
    maxElapsed: duration().prefault('5m'),
  })
  .refine((retry) => retry.maxBackoff >= retry.initialBackoff, {
    path: ['maxBackoff'],
    error: 'must be >= retry.initialBackoff',
  });

const protocol = z.enum(['http/protobuf', 'http/json', 'grpc'], { error: 'expected "http/protobuf", "http/json" or "grpc"' });
const compression = z.enum(['gzip', 'none'], { error: 'expected "gzip" or "none"' });

/**
 * The `forward` section as a config file writes it. The fields an `OTEL_EXPORTER_OTLP_*`
 * variable can also set have no default here, so that `forwardConfigFromEnv` can tell "not
 * written" from "written" and let the variables fill only what the file left out.
 */
export const ForwardSectionSchema = z.strictObject({
  /**
   * Traces URL, used as is (e.g. `http://tempo:4318/v1/traces`); else from OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT.
   * With `protocol: grpc`, the server's address as a URL (`http://tempo:4317`; `https:` = TLS), no path.
   */
  endpoint: httpUrl().optional(),
  /** As OTEL_EXPORTER_OTLP_PROTOCOL: `http/protobuf` (default), `http/json` or `grpc`. */
  protocol: protocol.optional(),
  headers: headerMap.optional(),
  /** Per export request, as OTEL_EXPORTER_OTLP_TIMEOUT. */
  timeout: positiveDuration().optional(),
  compression: compression.optional(),
  logs: z
    .strictObject({
      /** Logs URL; by default the traces URL with `/v1/traces` replaced by `/v1/logs` (gRPC: the same address). */
      endpoint: httpUrl().optional(),
      /** By default the traces headers. */
      headers: headerMap.optional(),
    })
    .optional(),
  batch: z
    .strictObject({
      /** Spans per export request (the SDK BatchSpanProcessor's default 512). */
      maxSpans: positiveInt().prefault(512),
      /** How long a partial batch waits for more spans; spans in it are not yet on disk. */
      maxDelay: duration().prefault('200ms'),
      /** Export requests in flight at once; each holds its batch through its retries. */
      maxInFlight: positiveInt().prefault(4),
    })
    .prefault({}),
  queue: z
    .strictObject({
      /** Spans accepted and not yet forwarded; beyond it `enqueue` refuses (the receiver answers 429). */
      maxSpans: positiveInt().prefault(100_000),
      /** Approximate bytes of those spans, same rule. */
      maxBytes: positiveInt().prefault(64 * 1024 * 1024),
      /**
       * Keep queued batches on disk (node:sqlite) across restarts: on unless turned off. Where:
       * `persistPath` when given, else `STATE_DIR/forward-queue.db` (`stateDir`, `--state-dir`).
       * Off: memory only — what is queued at a stop the upstream does not take in time is lost.
       */
      persist: booleanish().prefault(true),
      /** The collector's state directory (its persistent queue). Relative to the working directory. */
      stateDir: nonEmptyString().prefault('.tracejudge/state'),
      /** The queue file itself, over `stateDir`. */
      persistPath: nonEmptyString().optional(),
    })
    .prefault({}),
  retry: ForwardRetrySchema.prefault({}),
});

/** The complete forwarding config the forwarder runs with: an endpoint, every default filled (OTLP exporter spec defaults). */
export const ForwardConfigSchema = ForwardSectionSchema.extend({
  endpoint: httpUrl(),
  protocol: protocol.prefault('http/protobuf'),
  headers: headerMap.prefault({}),
  timeout: positiveDuration().prefault('10s'),
  compression: compression.prefault('none'),
  logs: ForwardSectionSchema.shape.logs.unwrap().prefault({}),
});

export type ForwardConfig = z.output<typeof ForwardConfigSchema>;
export type ForwardConfigInput = z.input<typeof ForwardConfigSchema>;

export type ForwardSection = z.output<typeof ForwardSectionSchema>;

/** Absent = no forwarding. Pass the section to `forwardConfigFromEnv` as its overrides. */
export const forwardSection = defineSection(ForwardSectionSchema.optional());
