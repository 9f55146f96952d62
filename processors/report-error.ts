import { diag } from '@opentelemetry/api';

const log = diag.createComponentLogger({ namespace: 'tracejudge' });

/** The first few errors are logged in full, then one in every thousand: a bug hit on every span must not flood the logs. */
const LOGGED_IN_FULL = 10;
const LOG_EVERY = 1000;

/**
 * Telemetry never throws into user code (STYLE.md habit 7): errors in the
 * pipeline are counted by the caller and reported here, through OTel `diag`.
 */
export function reportError(where: string, error: unknown, count: number): void {
  if (count > LOGGED_IN_FULL && count % LOG_EVERY !== 0) return;
  const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
  log.error(`${where} failed (error #${count}; the span flows on): ${reason}`);
}
