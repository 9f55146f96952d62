import { ConfigError, type ConfigIssue } from '../../config/config-error.ts';
import { HEADER_NAME } from '../../config/forward.ts';
import { DEFAULT_BEARER_TOKEN_ENV, type ListenAddress, type ReceiverConfig } from '../../config/receiver.ts';
import type { Environment } from '../../config/substitute.ts';
import type { ReceiverAuth } from './auth.ts';
import type { ReceiverOptions } from './receiver.ts';

/** What command-line flags say; each wins over the config file's `receiver` section. */
export interface ReceiverOverrides {
  readonly listen?: ListenAddress;
  readonly maxBodyBytes?: number;
  readonly maxInFlightBytes?: number;
  /** Header name → variable holding its value (`--auth-header NAME=VAR`), merged over `auth.headers` by name. */
  readonly authHeaders?: Readonly<Record<string, string>>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `NAME=VAR` as `--auth-header` takes it; `undefined` when malformed. */
export function parseAuthHeaderFlag(text: string): { header: string; variable: string } | undefined {
  const at = text.indexOf('=');
  if (at <= 0) return undefined;
  const header = text.slice(0, at).trim();
  const variable = text.slice(at + 1).trim();
  if (!HEADER_NAME.test(header) || !ENV_NAME.test(variable)) return undefined;
  return { header, variable };
}

/**
 * The receiver's options from its config section, flags over it, secrets read from the
 * variables the config names. A variable the config (or a flag) names explicitly must be
 * set: starting without the auth the operator asked for would open the receiver silently.
 * Throws {@link ConfigError} naming every offending field and variable.
 */
export function receiverOptionsFrom(config: ReceiverConfig, env: Environment, overrides: ReceiverOverrides = {}): ReceiverOptions {
  const issues: ConfigIssue[] = [];
  const read = (variable: string) => {
    const value = env[variable];
    return value === undefined || value === '' ? undefined : value;
  };

  let bearerToken: string | undefined;
  if (config.auth.bearerTokenEnv !== undefined) {
    bearerToken = read(config.auth.bearerTokenEnv);
    if (bearerToken === undefined) {
      issues.push({ path: 'receiver.auth.bearerTokenEnv', message: `variable ${config.auth.bearerTokenEnv} is not set (or empty)` });
    }
  } else {
    bearerToken = read(DEFAULT_BEARER_TOKEN_ENV);
  }

  const headers: Record<string, string> = {};
  const wanted: [string, string, string][] = [
    ...Object.entries(config.auth.headers ?? {}).map(([name, variable]): [string, string, string] => [name, variable, `receiver.auth.headers.${name}`]),
    ...Object.entries(overrides.authHeaders ?? {}).map(([name, variable]): [string, string, string] => [name, variable, `--auth-header ${name}`]),
  ];
  // Header names are case-insensitive: a flag replaces the file's entry whatever its case.
  const byName = new Map(wanted.map((entry) => [entry[0].toLowerCase(), entry]));
  for (const [name, variable, path] of byName.values()) {
    if (name.toLowerCase() === 'authorization') {
      issues.push({ path, message: `use auth.bearerTokenEnv for the Authorization header, got ${name}=${variable}` });
      continue;
    }
    const value = read(variable);
    if (value === undefined) issues.push({ path, message: `variable ${variable} is not set (or empty)` });
    else headers[name] = value;
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const auth: ReceiverAuth | undefined =
    bearerToken === undefined && Object.keys(headers).length === 0
      ? undefined
      : { ...(bearerToken !== undefined && { bearerToken }), ...(Object.keys(headers).length > 0 && { headers }) };
  const listen = overrides.listen ?? config.listen;
  return {
    host: listen.host,
    port: listen.port,
    maxBodyBytes: overrides.maxBodyBytes ?? config.maxBodyBytes,
    maxInFlightBytes: overrides.maxInFlightBytes ?? config.maxInFlightBytes,
    retryAfterSeconds: Math.ceil(config.retryAfter / 1000),
    headersTimeoutMs: config.headersTimeout,
    bodyTimeoutMs: config.bodyTimeout,
    ...(auth && { auth }),
  };
}

/** What a startup line may say about auth: the header names, never a value. */
export function describeAuth(auth: ReceiverAuth | undefined): string {
  if (auth === undefined) return 'no auth';
  const parts = [...(auth.bearerToken !== undefined ? ['bearer token'] : []), ...Object.keys(auth.headers ?? {}).map((name) => `${name} header`)];
  return `${parts.join(' and ')} required`;
}
