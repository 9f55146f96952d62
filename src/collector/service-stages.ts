import { ROOT_CONTEXT, diag } from '@opentelemetry/api';
import type { AttributeValue, Attributes as ApiAttributes } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import type { ForwardSpan, SpanStage } from '../../processors/index.ts';
import type { DecodedSpan } from './otlp/index.ts';
import type { SpanForwarder } from './span-forwarder.ts';

/**
 * Later stages (the online stage: sampling decision, judge hold) driven over decoded spans the
 * way the SDK processor drives them over live ones: `onStart` for every span, `onEnding` while
 * the span is writable, then `onEnd` with a `forward` that may be called now or later (a held
 * span, bounded by the stage's hold deadline), and `attach` for spans a stage creates
 * (evaluation child spans).
 */

/**
 * A decoded span as the `Span` a stage writes to in `onEnding`: every read goes to the SDK view
 * the forwarder will serialize; `setAttribute(s)` writes through to it and to the decoded span.
 */
function writableSpanOf(span: DecodedSpan): Span {
  const readable = span.toReadableSpan();
  const targets = new Set([readable.attributes as Record<string, unknown>, span.attributes as Record<string, unknown>]);
  const set = (key: string, value: unknown) => {
    for (const target of targets) target[key] = value;
  };
  const writable = {
    setAttribute(key: string, value: AttributeValue) {
      set(key, value);
      return proxy;
    },
    setAttributes(values: ApiAttributes) {
      for (const [key, value] of Object.entries(values)) if (value !== undefined) set(key, value);
      return proxy;
    },
    addEvent(name: string, attributes?: ApiAttributes) {
      span.addEvent(name, attributes);
      return proxy;
    },
    isRecording: () => false,
  } as Record<string, unknown>;
  const proxy: Span = new Proxy(readable, {
    get(target, property) {
      if (typeof property === 'string' && property in writable) return writable[property];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as unknown as Span;
  return proxy;
}

/** Late spans (released from a hold, evaluation child spans) wait here while the forwarding queue is full. */
const LATE_RETRY_MS = 100;

export class StageDriver {
  readonly #stages: readonly SpanStage[];
  readonly #forwarder: SpanForwarder;
  readonly #hasRoom: (spans: number) => boolean;
  readonly #late: ReadableSpan[] = [];
  #retry: NodeJS.Timeout | undefined;
  #batch: ReadableSpan[] | undefined;
  errors = 0;

  constructor(stages: readonly SpanStage[], forwarder: SpanForwarder, hasRoom: (spans: number) => boolean) {
    this.#stages = stages;
    this.#forwarder = forwarder;
    this.#hasRoom = hasRoom;
    // What stages emit on their own (child spans) goes out through the late lane.
    for (const stage of stages) this.#guard(stage, 'attach', () => stage.attach?.((span) => this.#forwardLate(span)));
  }

  get lateSpans(): number {
    return this.#late.length;
  }

  /** Runs `onStart` / `onEnding` on the batch (already start- and end-ordered by the caller). */
  begin(started: readonly DecodedSpan[]): void {
    for (const span of started) {
      const writable = writableSpanOf(span);
      for (const stage of this.#stages) if (stage.onStart) this.#guard(stage, 'onStart', () => stage.onStart?.(writable, ROOT_CONTEXT));
    }
  }

  ending(ended: readonly DecodedSpan[]): void {
    for (const span of ended) {
      const writable = writableSpanOf(span);
      for (const stage of this.#stages) if (stage.onEnding) this.#guard(stage, 'onEnding', () => stage.onEnding?.(writable));
    }
  }

  /** Runs the `onEnd` chain; returns the spans forwarded at once (the rest follow through the late lane). */
  end(ended: readonly DecodedSpan[]): ReadableSpan[] {
    const now: ReadableSpan[] = [];
    this.#batch = now;
    try {
      for (const span of ended) this.#chain(0, span.toReadableSpan());
    } finally {
      this.#batch = undefined;
    }
    return now;
  }

  /** After the stages' shutdown released what they held: offer the late spans until `deadline`. */
  async drainLate(deadline: number): Promise<void> {
    while (this.#late.length > 0 && Date.now() < deadline) {
      this.#offerLate();
      if (this.#late.length > 0) await new Promise((resolve) => setTimeout(resolve, LATE_RETRY_MS));
    }
    clearTimeout(this.#retry);
    if (this.#late.length > 0) diag.warn(`tracejudge collect: ${this.#late.length} held spans could not be queued before the shutdown deadline`);
  }

  #chain(index: number, span: ReadableSpan): void {
    const stage = this.#stages[index];
    if (stage === undefined) return this.#forward(span);
    if (!stage.onEnd) return this.#chain(index + 1, span);
    let forwarded = false;
    const forward: ForwardSpan = (held) => {
      if (forwarded) return;
      forwarded = true;
      this.#chain(index + 1, held);
    };
    try {
      stage.onEnd(span, forward);
    } catch (error) {
      this.#report(stage, 'onEnd', error);
      forward(span);
    }
  }

  /** Forwarded during `end`: joins this request's batch; forwarded later: the late lane. */
  #forward(span: ReadableSpan): void {
    if (this.#batch) this.#batch.push(span);
    else this.#forwardLate(span);
  }

  #forwardLate(span: ReadableSpan): void {
    this.#late.push(span);
    this.#offerLate();
  }

  #offerLate(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.#late.length === 0) return;
    // Spans already accepted are never refused for good: they wait for room instead.
    if (this.#hasRoom(this.#late.length) && this.#forwarder.enqueue([...this.#late])) this.#late.length = 0;
    else {
      this.#retry = setTimeout(() => this.#offerLate(), LATE_RETRY_MS);
      this.#retry.unref();
    }
  }

  #guard(stage: SpanStage, hook: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#report(stage, hook, error);
    }
  }

  #report(stage: SpanStage, hook: string, error: unknown): void {
    this.errors++;
    diag.error(`tracejudge collect: stage ${stage.name}.${hook} failed; the span flows on`, error);
  }
}
