import { ConfigError, type ConfigIssue } from '../../config/config-error.ts';
import { configIssuesFrom } from '../../config/issues.ts';
import { ForwardConfigSchema, HEADER_NAME, HEADER_VALUE, type ForwardConfig, type ForwardConfigInput } from '../../config/forward.ts';
import type { Environment } from '../../config/substitute.ts';

/** What the CLI (`--forward URL`) or the config file's `forward` section says; it wins over the environment. */
export type ForwardOverrides = Partial<ForwardConfigInput>;

const TRACES_PATH = 'v1/traces';
const LOGS_PATH = 'v1/logs';

/**
 * The forwarding config from the standard OTLP exporter variables (spec, "OpenTelemetry
 * Protocol Exporter" → "Configuration Options"), with `overrides` on top, validated.
 * Signal-specific variables win over generic ones; an empty variable counts as unset (spec,
 * "Environment Variable Specification"). Throws {@link ConfigError} naming every offending
 * variable or field and its value.
 */
export function forwardConfigFromEnv(env: Environment = process.env, overrides: ForwardOverrides = {}): ForwardConfig {
  const issues: ConfigIssue[] = [];
  const read = (name: string): { name: string; value: string } | undefined => {
    const value = env[name]?.trim();
    return value ? { name, value } : undefined;
  };
  const first = (...names: string[]) => names.map(read).find((found) => found !== undefined);

  const protocol = first('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol && protocol.value !== 'http/protobuf' && protocol.value !== 'http/json' && protocol.value !== 'grpc') {
    issues.push({ path: protocol.name, message: `expected "http/protobuf", "http/json" or "grpc", got ${JSON.stringify(protocol.value)}` });
  }
  const grpc = (overrides.protocol ?? protocol?.value) === 'grpc';

  // Endpoint URLs. OTLP/HTTP: the signal-specific one is used as is; the generic one is a base
  // URL that gets the signal's relative path appended. OTLP/gRPC: every one is the server's
  // address, used as is (spec: no signal paths for gRPC).
  const tracesSpecific = read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const logsSpecific = read('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT');
  const generic = read('OTEL_EXPORTER_OTLP_ENDPOINT');
  const genericUrl = generic && checkedUrl(generic, issues);
  const forSignal = (base: string | undefined, path: string) => (base && !grpc ? appendSignalPath(base, path) : base);
  const envEndpoint = tracesSpecific ? checkedUrl(tracesSpecific, issues) : forSignal(genericUrl, TRACES_PATH);
  const envLogsEndpoint = logsSpecific ? checkedUrl(logsSpecific, issues) : forSignal(genericUrl, LOGS_PATH);

  const timeout = first('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT');
  if (timeout && !/^\d+$/.test(timeout.value)) {
    issues.push({ path: timeout.name, message: `expected a positive integer of milliseconds, got ${JSON.stringify(timeout.value)}` });
  } else if (timeout && Number(timeout.value) === 0) {
    issues.push({ path: timeout.name, message: 'expected a positive integer of milliseconds, got "0"' });
  }
  const compression = first('OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION');
  if (compression && compression.value !== 'gzip' && compression.value !== 'none') {
    issues.push({ path: compression.name, message: `expected "gzip" or "none", got ${JSON.stringify(compression.value)}` });
  }

  // Headers: the generic list, then the signal-specific one over it key by key, as the JS
  // exporter merges them (it also reads these variables itself and would merge them anyway).
  const genericHeaders = parseHeaderList(read('OTEL_EXPORTER_OTLP_HEADERS'), issues);
  const tracesHeaders = parseHeaderList(read('OTEL_EXPORTER_OTLP_TRACES_HEADERS'), issues);
  const logsHeaders = parseHeaderList(read('OTEL_EXPORTER_OTLP_LOGS_HEADERS'), issues);

  const endpoint = overrides.endpoint !== undefined ? (grpc ? overrides.endpoint : withTracesPathIfBare(overrides.endpoint)) : envEndpoint || undefined;
  if (endpoint === undefined && issues.length === 0) {
    issues.push({
      path: 'forward.endpoint',
      message:
        'no upstream to forward to: pass --forward URL or set OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT ' +
        "(there is no default: the OTLP default http://localhost:4318 is where tracejudge's own receiver listens)",
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const input: ForwardConfigInput = {
    ...overrides,
    endpoint: endpoint as string,
    protocol: overrides.protocol ?? (protocol?.value as ForwardConfigInput['protocol']),
    headers: { ...genericHeaders, ...tracesHeaders, ...overrides.headers },
    timeout: overrides.timeout ?? (timeout ? Number(timeout.value) : undefined),
    compression: overrides.compression ?? (compression?.value as ForwardConfigInput['compression']),
    logs: {
      ...overrides.logs,
      endpoint: overrides.logs?.endpoint ?? (envLogsEndpoint || undefined),
      // Never the traces-specific headers: they may carry another tenant or token.
      headers: overrides.logs?.headers ?? { ...genericHeaders, ...logsHeaders, ...overrides.headers },
    },
  };
  const result = ForwardConfigSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(configIssuesFrom(result.error).map((issue) => ({ ...issue, path: `forward.${issue.path}` })));
  }
  return result.data;
}

function checkedUrl(found: { name: string; value: string }, issues: ConfigIssue[]): string | undefined {
  const url = URL.canParse(found.value) ? new URL(found.value) : undefined;
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) return url.href;
  issues.push({ path: found.name, message: `expected an http:// or https:// URL, got ${JSON.stringify(found.value)}` });
  return undefined;
}

/** `http://h:4318` → `http://h:4318/v1/traces`; `http://h/otlp/` → `http://h/otlp/v1/traces`. */
export function appendSignalPath(base: string, signalPath: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${signalPath}`;
  return url.href;
}

/**
 * `--forward http://tempo:4318` means the OTLP endpoint, as the generic variable would (no
 * OTLP server takes traces at `/`); a URL with a path is used as is.
 */
function withTracesPathIfBare(endpoint: string): string {
  if (!URL.canParse(endpoint)) return endpoint; // the schema reports it, naming forward.endpoint
  return new URL(endpoint).pathname === '/' ? appendSignalPath(endpoint, TRACES_PATH) : endpoint;
}

/**
 * `k=v,k2=v2`, keys and values percent-decoded (spec: the W3C Baggage format, without its
 * properties). A malformed entry is an error naming the variable, never skipped silently.
 */
export function parseHeaderList(found: { name: string; value: string } | undefined, issues: ConfigIssue[]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!found) return headers;
  for (const entry of found.value.split(',')) {
    if (entry.trim() === '') continue;
    const equals = entry.indexOf('=');
    const fail = (why: string) => issues.push({ path: found.name, message: `${why}, got ${JSON.stringify(entry.trim())}` });
    if (equals <= 0) {
      fail('expected comma-separated key=value pairs');
      continue;
    }
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(entry.slice(0, equals).trim());
      value = decodeURIComponent(entry.slice(equals + 1).trim());
    } catch {
      fail('expected valid percent-encoding (%XX)');
      continue;
    }
    if (!HEADER_NAME.test(key)) fail('expected an HTTP header name (RFC 9110 token) before "="');
    else if (!HEADER_VALUE.test(value)) fail('expected a header value without control characters');
    else headers[key] = value;
  }
  return headers;
}
