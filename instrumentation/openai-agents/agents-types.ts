/**
 * The shapes of `@openai/agents` traces and spans the bridge reads, declared
 * here so that `tracejudge/instrumentation` neither imports nor type-depends on
 * the Agents SDK (an optional peer): an app that does not use it installs
 * nothing. The SDK's own `Trace` and `Span` satisfy them structurally; the test
 * registers the bridge with the SDK's `setTraceProcessors`, so a drift fails to compile.
 */
export interface AgentsTrace {
  readonly traceId: string;
  readonly name: string;
  readonly groupId: string | null;
  readonly metadata?: Record<string, unknown>;
}

export interface AgentsSpanError {
  readonly message: string;
  readonly data?: Record<string, unknown>;
}

export interface AgentsSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentId: string | null;
  readonly spanData: { readonly type: string; readonly [key: string]: unknown };
  readonly traceMetadata?: Record<string, unknown>;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly error: AgentsSpanError | null;
}

/** `TracingProcessor` of `@openai/agents-core`. */
export interface AgentsTracingProcessor {
  start?(): void;
  onTraceStart(trace: AgentsTrace): Promise<void>;
  onTraceEnd(trace: AgentsTrace): Promise<void>;
  onSpanStart(span: AgentsSpan): Promise<void>;
  onSpanEnd(span: AgentsSpan): Promise<void>;
  shutdown(timeout?: number): Promise<void>;
  forceFlush(): Promise<void>;
}
