import { context, diag, DiagLogLevel } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/**
 * The real SDK for instrumentation tests: a TracerProvider exporting to memory
 * through a SimpleSpanProcessor, and the AsyncLocalStorage context manager
 * (what NodeSDK installs), so active-context propagation is the production one.
 */

let contextManagerInstalled = false;

export function installContextManager(): void {
  if (contextManagerInstalled) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerInstalled = true;
}

export interface Tracing {
  readonly provider: TracerProvider;
  spans(): ReadableSpan[];
  named(name: string): ReadableSpan[];
  one(name: string): ReadableSpan;
  reset(): void;
}

export function startTracing(): Tracing {
  installContextManager();
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  return {
    provider,
    spans,
    named: (name) => spans().filter((span) => span.name === name),
    one(name) {
      const found = spans().filter((span) => span.name === name);
      if (found.length !== 1) throw new Error(`expected one span named "${name}", found ${found.length}: ${spans().map((s) => s.name).join(', ')}`);
      return found[0]!;
    },
    reset: () => exporter.reset(),
  };
}

export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/** Decodes a JSON-string content attribute; fails the test if it is not one. */
export function jsonAttribute(span: ReadableSpan, name: string): unknown {
  const value = span.attributes[name];
  if (typeof value !== 'string') throw new Error(`${span.name}: attribute ${name} is ${JSON.stringify(value)}, not a JSON string`);
  return JSON.parse(value) as unknown;
}

export interface DiagCapture {
  readonly warnings: string[];
  readonly errors: string[];
  restore(): void;
}

/** Collects diag warnings and errors so tests can assert on what was reported. */
export function captureDiag(): DiagCapture {
  const warnings: string[] = [];
  const errors: string[] = [];
  const text = (args: unknown[]): string => args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' ');
  const logger: DiagLogger = {
    error: (...args: unknown[]) => errors.push(text(args)),
    warn: (...args: unknown[]) => warnings.push(text(args)),
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return { warnings, errors, restore: () => diag.disable() };
}
