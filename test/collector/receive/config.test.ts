import { describe, expect, it } from 'vitest';
import { parseAuthHeaderFlag, receiverOptionsFrom } from '../../../src/collector/receive/config.ts';
import { ConfigError, parseConfig } from '../../../src/config/index.ts';

const NO_ENV = {};
const receiverOf = (yaml: string, env: Record<string, string> = NO_ENV) => parseConfig(yaml, { env }).receiver;

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the receiver config section', () => {
  it('defaults to 127.0.0.1:4318, 64 MiB bodies, 256 MiB in flight, Retry-After 5 s, no auth', () => {
    const options = receiverOptionsFrom(receiverOf(''), NO_ENV);
    expect(options).toEqual({ host: '127.0.0.1', port: 4318, maxBodyBytes: 64 * 1024 * 1024, maxInFlightBytes: 256 * 1024 * 1024, retryAfterSeconds: 5, headersTimeoutMs: 10_000, bodyTimeoutMs: 30_000 });
  });

  it('reads every field, IPv6 listen addresses included', () => {
    const config = receiverOf('receiver: { listen: "[::1]:14318", maxBodyBytes: 1000, maxInFlightBytes: 5000, retryAfter: 2500ms, headersTimeout: 2s, bodyTimeout: 15s }');
    expect(receiverOptionsFrom(config, NO_ENV)).toEqual({ host: '::1', port: 14318, maxBodyBytes: 1000, maxInFlightBytes: 5000, retryAfterSeconds: 3, headersTimeoutMs: 2_000, bodyTimeoutMs: 15_000 });
  });

  it('names each bad field and its value', () => {
    const error = configError(() =>
      receiverOf('receiver: { listen: "localhost", maxBodyBytes: -1, retryAfter: 10ms, auth: { bearerTokenEnv: "not a name", headers: { "bad header": X } }, lisen: 1 }'),
    );
    const byPath = Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message]));
    expect(byPath['receiver.listen']).toBe('expected HOST:PORT, e.g. 127.0.0.1:4318 or 0.0.0.0:4318, got "localhost"');
    expect(byPath['receiver.maxBodyBytes']).toBe('expected a positive integer, got -1');
    expect(byPath['receiver.retryAfter']).toMatch(/^expected at least 1s/);
    expect(byPath['receiver.auth.bearerTokenEnv']).toBe('expected an environment variable name like MY_TOKEN, got "not a name"');
    expect(byPath['receiver.auth.headers.bad header']).toMatch(/^expected an HTTP header name/);
    expect(byPath['receiver.lisen']).toBe('unknown key');
  });

  it('refuses a port above 65535', () => {
    expect(configError(() => receiverOf('receiver: { listen: "0.0.0.0:70000" }')).message).toContain('receiver.listen: expected HOST:PORT');
  });

  it('takes the listen address from TRACEJUDGE_RECEIVER_LISTEN over the file', () => {
    const config = receiverOf('receiver: { listen: "127.0.0.1:1" }', { TRACEJUDGE_RECEIVER_LISTEN: '0.0.0.0:2' });
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 2 });
  });
});

describe('receiver auth from variables', () => {
  it('uses TRACEJUDGE_RECEIVER_BEARER_TOKEN when no variable is named, and no auth when it is unset', () => {
    expect(receiverOptionsFrom(receiverOf(''), { TRACEJUDGE_RECEIVER_BEARER_TOKEN: 'tok' }).auth).toEqual({ bearerToken: 'tok' });
    expect(receiverOptionsFrom(receiverOf(''), { TRACEJUDGE_RECEIVER_BEARER_TOKEN: '' }).auth).toBeUndefined();
  });

  it('reads the bearer token and header values from the variables the file names', () => {
    const config = receiverOf('receiver: { auth: { bearerTokenEnv: MY_TOKEN, headers: { x-api-key: MY_KEY } } }');
    const options = receiverOptionsFrom(config, { MY_TOKEN: 't0k', MY_KEY: 'k3y', TRACEJUDGE_RECEIVER_BEARER_TOKEN: 'ignored' });
    expect(options.auth).toEqual({ bearerToken: 't0k', headers: { 'x-api-key': 'k3y' } });
  });

  it('refuses to start when a named variable is unset, naming the field and the variable (never open silently)', () => {
    const config = receiverOf('receiver: { auth: { bearerTokenEnv: MY_TOKEN, headers: { x-api-key: MY_KEY, x-tenant: TENANT } } }');
    const error = configError(() => receiverOptionsFrom(config, { TENANT: 'acme' }));
    expect(error.issues).toEqual([
      { path: 'receiver.auth.bearerTokenEnv', message: 'variable MY_TOKEN is not set (or empty)' },
      { path: 'receiver.auth.headers.x-api-key', message: 'variable MY_KEY is not set (or empty)' },
    ]);
  });

  it('sends Authorization through bearerTokenEnv, not a header entry', () => {
    const error = configError(() => receiverOptionsFrom(receiverOf('receiver: { auth: { headers: { Authorization: TOKEN } } }'), { TOKEN: 'x' }));
    expect(error.issues[0].path).toBe('receiver.auth.headers.Authorization');
  });
});

describe('flags over the file', () => {
  const file = receiverOf('receiver: { listen: "127.0.0.1:1111", maxBodyBytes: 100, maxInFlightBytes: 900, auth: { headers: { X-Api-Key: FILE_KEY, x-tenant: TENANT } } }');
  const env = { FILE_KEY: 'from-file', FLAG_KEY: 'from-flag', TENANT: 'acme' };

  it('each flag wins over its field; fields without a flag keep the file value', () => {
    const options = receiverOptionsFrom(file, env, { listen: { host: '0.0.0.0', port: 2222 }, maxBodyBytes: 500 });
    expect(options).toMatchObject({ host: '0.0.0.0', port: 2222, maxBodyBytes: 500, maxInFlightBytes: 900 });
    expect(options.auth?.headers).toEqual({ 'X-Api-Key': 'from-file', 'x-tenant': 'acme' });
  });

  it('--auth-header replaces the file entry of the same header, whatever its case, and keeps the others', () => {
    const options = receiverOptionsFrom(file, env, { authHeaders: { 'x-api-key': 'FLAG_KEY' } });
    expect(options.auth?.headers).toEqual({ 'x-api-key': 'from-flag', 'x-tenant': 'acme' });
  });

  it('names the flag when its variable is unset', () => {
    const error = configError(() => receiverOptionsFrom(file, env, { authHeaders: { 'x-other': 'NOPE' } }));
    expect(error.issues).toEqual([{ path: '--auth-header x-other', message: 'variable NOPE is not set (or empty)' }]);
  });

  it('parses NAME=ENV_VAR and refuses anything else', () => {
    expect(parseAuthHeaderFlag('x-api-key=COLLECT_KEY')).toEqual({ header: 'x-api-key', variable: 'COLLECT_KEY' });
    expect(parseAuthHeaderFlag('x-api-key')).toBeUndefined();
    expect(parseAuthHeaderFlag('=KEY')).toBeUndefined();
    expect(parseAuthHeaderFlag('x-api-key=secret value')).toBeUndefined();
    expect(parseAuthHeaderFlag('bad header=KEY')).toBeUndefined();
  });
});
