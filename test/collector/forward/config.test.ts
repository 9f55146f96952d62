import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { forwardConfigFromEnv } from '../../../src/collector/forward/config-from-env.ts';

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('forwardConfigFromEnv: endpoints', () => {
  it('appends /v1/traces to the generic endpoint, relative to its path', () => {
    expect(forwardConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318' }).endpoint).toBe('http://tempo:4318/v1/traces');
    expect(forwardConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example/otlp/' }).endpoint).toBe('https://gw.example/otlp/v1/traces');
    expect(forwardConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example/otlp' }).endpoint).toBe('https://gw.example/otlp/v1/traces');
  });

  it('uses the traces-specific endpoint as is, over the generic one', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/custom/path' };
    expect(forwardConfigFromEnv(env).endpoint).toBe('http://tempo:4318/custom/path');
  });

  it('lets --forward win over the environment, adding /v1/traces only to a bare origin', () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces' };
    expect(forwardConfigFromEnv(env, { endpoint: 'http://jaeger:4318' }).endpoint).toBe('http://jaeger:4318/v1/traces');
    expect(forwardConfigFromEnv(env, { endpoint: 'http://jaeger:4318/ingest' }).endpoint).toBe('http://jaeger:4318/ingest');
  });

  it('derives the logs endpoint from the logs-specific or the generic variable', () => {
    expect(forwardConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).logs.endpoint).toBe('http://c:4318/v1/logs');
    const specific = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://loki:3100/otlp/v1/logs' };
    expect(forwardConfigFromEnv(specific).logs.endpoint).toBe('http://loki:3100/otlp/v1/logs');
    expect(forwardConfigFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:4318/v1/traces' }).logs.endpoint).toBeUndefined();
  });

  it('has no default endpoint, and says why', () => {
    const error = errorOf(() => forwardConfigFromEnv({}));
    expect(error.issues[0].path).toBe('forward.endpoint');
    expect(error.message).toMatch(/pass --forward URL or set OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it('names the variable and value of a malformed URL', () => {
    expect(errorOf(() => forwardConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'tempo:4318' })).message).toBe(
      'invalid config: OTEL_EXPORTER_OTLP_ENDPOINT: expected an http:// or https:// URL, got "tempo:4318"',
    );
    expect(errorOf(() => forwardConfigFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' })).issues).toEqual([
      { path: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', message: 'expected an http:// or https:// URL, got "not a url"' },
    ]);
    expect(errorOf(() => forwardConfigFromEnv({}, { endpoint: 'ftp://x/y' })).issues[0]).toMatchObject({ path: 'forward.endpoint' });
  });
});

describe('forwardConfigFromEnv: protocol, timeout, compression', () => {
  const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };

  it('defaults to http/protobuf, 10 s, no compression', () => {
    expect(forwardConfigFromEnv(base)).toMatchObject({ protocol: 'http/protobuf', timeout: 10_000, compression: 'none' });
  });

  it('reads each variable, the traces-specific one over the generic one', () => {
    const env = {
      ...base,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '750',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
    };
    expect(forwardConfigFromEnv(env)).toMatchObject({ protocol: 'http/json', timeout: 750, compression: 'gzip' });
    expect(forwardConfigFromEnv({ ...base, OTEL_EXPORTER_OTLP_TIMEOUT: '2000', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' })).toMatchObject({
      timeout: 2000,
      compression: 'gzip',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(forwardConfigFromEnv({ ...base, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: '', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).protocol).toBe('http/json');
  });

  it('lets overrides win over the variables', () => {
    const config = forwardConfigFromEnv({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TIMEOUT: '100' }, { protocol: 'http/protobuf', timeout: '3s' });
    expect(config).toMatchObject({ protocol: 'http/protobuf', timeout: 3000 });
  });

  it('names every bad variable and its value at once', () => {
    const error = errorOf(() =>
      forwardConfigFromEnv({
        ...base,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuff',
        OTEL_EXPORTER_OTLP_TIMEOUT: '10s',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd',
      }),
    );
    expect(error.issues).toEqual([
      { path: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', message: 'expected "http/protobuf", "http/json" or "grpc", got "http/protobuff"' },
      { path: 'OTEL_EXPORTER_OTLP_TIMEOUT', message: 'expected a positive integer of milliseconds, got "10s"' },
      { path: 'OTEL_EXPORTER_OTLP_COMPRESSION', message: 'expected "gzip" or "none", got "zstd"' },
    ]);
    expect(errorOf(() => forwardConfigFromEnv({ ...base, OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '0' })).issues[0].path).toBe('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT');
  });
});

describe('forwardConfigFromEnv: headers', () => {
  const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };

  it('parses k=v lists, percent-decoded, the traces list over the generic one key by key', () => {
    const config = forwardConfigFromEnv({
      ...base,
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Basic%20dXNlcjpwdw%3D%3D, x-tenant=generic,x-common=1,',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=traces',
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-tenant=logs',
    });
    expect(config.headers).toEqual({ Authorization: 'Basic dXNlcjpwdw==', 'x-tenant': 'traces', 'x-common': '1' });
    expect(config.logs.headers).toEqual({ Authorization: 'Basic dXNlcjpwdw==', 'x-tenant': 'logs', 'x-common': '1' });
  });

  it('never sends the traces-specific headers with logs', () => {
    const config = forwardConfigFromEnv({ ...base, OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'authorization=traces-token' });
    expect(config.headers).toEqual({ authorization: 'traces-token' });
    expect(config.logs.headers).toEqual({});
  });

  it('merges override headers over the variables', () => {
    const config = forwardConfigFromEnv({ ...base, OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=2' }, { headers: { b: 'override' } });
    expect(config.headers).toEqual({ a: '1', b: 'override' });
    expect(config.logs.headers).toEqual({ a: '1', b: 'override' });
  });

  it('names the variable and the malformed entry', () => {
    const error = errorOf(() =>
      forwardConfigFromEnv({ ...base, OTEL_EXPORTER_OTLP_HEADERS: 'good=1,novalue,=nokey', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x=%E0%A4%A,bad name=v,k=line%0Abreak' }),
    );
    expect(error.issues).toEqual([
      { path: 'OTEL_EXPORTER_OTLP_HEADERS', message: 'expected comma-separated key=value pairs, got "novalue"' },
      { path: 'OTEL_EXPORTER_OTLP_HEADERS', message: 'expected comma-separated key=value pairs, got "=nokey"' },
      { path: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', message: 'expected valid percent-encoding (%XX), got "x=%E0%A4%A"' },
      { path: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', message: 'expected an HTTP header name (RFC 9110 token) before "=", got "bad name=v"' },
      { path: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', message: 'expected a header value without control characters, got "k=line%0Abreak"' },
    ]);
  });
});

describe('forward config section', () => {
  it('fills defaults and validates overrides with the field path', () => {
    const config = forwardConfigFromEnv({}, { endpoint: 'http://t:4318/v1/traces' });
    expect(config).toMatchObject({
      batch: { maxSpans: 512, maxDelay: 200, maxInFlight: 4 },
      queue: { maxSpans: 100_000, maxBytes: 64 * 1024 * 1024 },
      retry: { initialBackoff: 1000, maxBackoff: 30_000, maxElapsed: 300_000 },
    });
    expect(config.queue.persistPath).toBeUndefined();
    const error = errorOf(() =>
      forwardConfigFromEnv({}, { endpoint: 'http://t:4318/v1/traces', queue: { maxSpans: -1 }, retry: { initialBackoff: '5s', maxBackoff: '1s' } }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['forward.queue.maxSpans', 'forward.retry.maxBackoff']);
    expect(error.message).toContain('forward.queue.maxSpans: expected a positive integer, got -1');
  });

  it('rejects unknown keys (typos) in the section', () => {
    const error = errorOf(() => forwardConfigFromEnv({}, { endpoint: 'http://t:4318/v1/traces', queue: { maxspans: 5 } as never }));
    expect(error.issues).toEqual([{ path: 'forward.queue.maxspans', message: 'unknown key' }]);
  });
});

describe('forward section in the config file', () => {
  const yaml = ['forward:', '  compression: gzip', '  queue: { persistPath: .tracejudge/forward.db }', '  retry: { maxElapsed: 0 }'].join('\n');

  it('is optional (no forwarding) and leaves what it does not say to the OTEL_* variables', () => {
    expect(parseConfig('checks: {}', { env: {} }).forward).toBeUndefined();
    const file = parseConfig(yaml, { env: {} }).forward;
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_COMPRESSION: 'none' };
    const config = forwardConfigFromEnv(env, file);
    expect(config).toMatchObject({
      endpoint: 'http://tempo:4318/v1/traces', // from the variable
      protocol: 'http/json', // from the variable
      compression: 'gzip', // the file wins where it speaks
      timeout: 10_000, // default
      queue: { persistPath: '.tracejudge/forward.db' },
      retry: { maxElapsed: 0 },
    });
  });

  it('reports a bad field with its path in the file', () => {
    expect(() => parseConfig('forward:\n  endpoint: tempo\n  protocol: grpc-web\n', { env: {} })).toThrow(
      /forward\.endpoint: expected an http:\/\/ or https:\/\/ URL, got "tempo"\n\s+forward\.protocol: expected "http\/protobuf", "http\/json" or "grpc", got "grpc-web"/,
    );
  });
});
