import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import type { Writable } from 'node:stream';

/** `--log-level` / `OTEL_LOG_LEVEL` values (the OTel SDK's names, case-insensitive). */
export const LOG_LEVELS: Readonly<Record<string, DiagLogLevel>> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

export function parseLogLevel(text: string | undefined, where: string): DiagLogLevel | undefined {
  if (text === undefined || text === '') return undefined;
  const level = LOG_LEVELS[text.toLowerCase()];
  if (level === undefined) throw new Error(`${where} expects one of ${Object.keys(LOG_LEVELS).join(', ')}, got ${JSON.stringify(text)}`);
  return level;
}

/** Messages of one kind printed per window; beyond it they are counted, and the count printed when the window ends. */
const PER_WINDOW = 10;
const WINDOW_MS = 60_000;

interface KindState {
  windowStart: number;
  printed: number;
  suppressed: number;
}

/**
 * OTel `diag` to stderr for the CLI, one line per message: every component that reports through
 * `diag` (the forwarder's "N accepted spans were lost at shutdown", store and sink errors, the
 * pipeline's own errors) is then seen. Rate-limited per kind (the component, else the message's
 * first words), so an error hit on every span prints ten lines a minute and a count, not a
 * flood; every message is counted by level and kind for the command's closing summary.
 */
export class StderrDiagLogger implements DiagLogger {
  readonly #out: Writable;
  readonly #now: () => number;
  readonly #kinds = new Map<string, KindState>();
  readonly #counts = new Map<string, number>();

  constructor(out: Writable, now: () => number = Date.now) {
    this.#out = out;
    this.#now = now;
  }

  error = (message: string, ...args: unknown[]) => this.#log('error', message, args);
  warn = (message: string, ...args: unknown[]) => this.#log('warn', message, args);
  info = (message: string, ...args: unknown[]) => this.#log('info', message, args);
  debug = (message: string, ...args: unknown[]) => this.#log('debug', message, args);
  verbose = (message: string, ...args: unknown[]) => this.#log('verbose', message, args);

  /** Messages logged (printed or suppressed), by `level kind`: "error tracejudge/forwarder" → 3. */
  counts(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#counts);
  }

  /** "2 error(s) (tracejudge/forwarder 2), 1 warning(s) (tracejudge store 1)", or "" when nothing was logged at warn or above. */
  summary(): string {
    const parts: string[] = [];
    for (const level of ['error', 'warn'] as const) {
      const kinds = [...this.#counts].filter(([key]) => key.startsWith(`${level} `));
      if (kinds.length === 0) continue;
      const total = kinds.reduce((sum, [, count]) => sum + count, 0);
      parts.push(`${total} ${level === 'error' ? 'error' : 'warning'}(s) (${kinds.map(([key, count]) => `${key.slice(level.length + 1)} ${count}`).join(', ')})`);
    }
    return parts.join(', ');
  }

  #log(level: string, message: string, args: unknown[]): void {
    try {
      // A component logger passes its namespace first: that is the kind.
      const [kind, text] = args.length > 0 && typeof args[0] === 'string' && /^[\w./@-]+$/.test(message) ? [message, [args[0], ...args.slice(1)]] : [kindOf(message), [message, ...args]];
      const key = `${level} ${kind}`;
      this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
      const now = this.#now();
      let state = this.#kinds.get(key);
      if (!state || now - state.windowStart >= WINDOW_MS) {
        if (state && state.suppressed > 0) this.#write(`tracejudge: ${level}: ${state.suppressed} more "${kind}" message(s) in the last minute were not printed`);
        state = { windowStart: now, printed: 0, suppressed: 0 };
        this.#kinds.set(key, state);
      }
      if (state.printed >= PER_WINDOW) {
        state.suppressed++;
        return;
      }
      state.printed++;
      this.#write(`tracejudge: ${level}: ${text.map(render).join(' ')}`);
    } catch {
      // Logging never throws into the command.
    }
  }

  #write(line: string): void {
    this.#out.write(`${line.replace(/\s*\n\s*/g, ' | ')}\n`);
  }
}

function kindOf(message: string): string {
  return message.split(/[\s:(]/).slice(0, 2).join(' ') || 'message';
}

function render(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Installs it as the global diag logger (replacing any), at `level`; returns it for the summary. */
export function installStderrDiag(out: Writable, level: DiagLogLevel): StderrDiagLogger {
  const logger = new StderrDiagLogger(out);
  diag.setLogger(logger, { logLevel: level, suppressOverrideMessage: true });
  return logger;
}
