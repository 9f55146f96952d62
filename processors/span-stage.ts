import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';

/** Passes a span on to the next stage (and finally to the downstream processor). */
export type ForwardSpan = (span: ReadableSpan) => void;

/**
 * One step of the evaluation span processor: inline checks now; the sampling
 * decision and the judge hold later. The processor composes stages in order
 * and ends the chain at the downstream processor (SpanProcessor-shaped, as the
 * OTel SDK composes processors). Every hook is optional, and any exception a
 * stage throws is caught, counted and logged: the span flows on regardless.
 */
export interface SpanStage {
  readonly name: string;
  onStart?(span: Span, parentContext: Context): void;
  /** The span is still mutable here (attributes, events). All `onEnding` run before any `onEnd`. */
  onEnding?(span: Span): void;
  /**
   * The span is read-only. Call `forward` exactly once — now, or later to hold
   * the export (bounded: never past a deadline). Not calling it loses the span.
   */
  onEnd?(span: ReadableSpan, forward: ForwardSpan): void;
  /**
   * Called once by the processor with where spans this stage creates itself
   * (e.g. an evaluation child span) go: the stages after it, then downstream.
   */
  attach?(emit: ForwardSpan): void;
  /** Release what is held downstream, then resolve. */
  forceFlush?(): Promise<void>;
  shutdown?(): Promise<void>;
}
