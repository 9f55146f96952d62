import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { EvaluationPipeline } from './evaluation-pipeline.ts';
import type { EvaluationPipelineOptions, PipelineStats } from './evaluation-pipeline.ts';
import { InlineChecksStage } from './inline-checks-stage.ts';
import { reportError } from './report-error.ts';
import type { ForwardSpan, SpanStage } from './span-stage.ts';

export interface EvaluationSpanProcessorOptions extends EvaluationPipelineOptions {
  /** Where spans go after evaluation, unchanged: typically a BatchSpanProcessor over an OTLP exporter. */
  readonly downstream: SpanProcessor;
  /** Stages after the inline checks, in order (sampling, judge hold, …). */
  readonly stages?: readonly SpanStage[];
  /** A pipeline to share with other front doors; built from the options otherwise. */
  readonly pipeline?: EvaluationPipeline;
}

export interface ProcessorStats extends PipelineStats {
  /** Exceptions caught from stages outside the pipeline (counted in `errors` too). */
  readonly stageErrors: number;
}

/**
 * An OTel SDK SpanProcessor that evaluates spans inline and passes them on.
 * It wires stages, it does not contain them (STYLE.md, the tail-sampling
 * model): inline checks first, then any later stages, then `downstream`.
 * Nothing here throws into the application, and no span is lost: a stage that
 * fails has the span forwarded as it is.
 */
export class EvaluationSpanProcessor implements SpanProcessor {
  readonly pipeline: EvaluationPipeline;
  readonly #downstream: SpanProcessor;
  readonly #stages: readonly SpanStage[];
  readonly #forward: ForwardSpan;
  #stageErrors = 0;

  constructor(options: EvaluationSpanProcessorOptions) {
    this.pipeline = options.pipeline ?? new EvaluationPipeline(options);
    this.#downstream = options.downstream;
    this.#stages = [new InlineChecksStage(this.pipeline), ...(options.stages ?? [])];
    this.#forward = this.#chain();
  }

  onStart(span: Span, parentContext: Context): void {
    for (const stage of this.#stages) {
      if (stage.onStart) this.#guard(stage, 'onStart', () => stage.onStart?.(span, parentContext));
    }
    this.#guardDownstream('onStart', () => this.#downstream.onStart(span, parentContext));
  }

  onEnding(span: Span): void {
    for (const stage of this.#stages) {
      if (stage.onEnding) this.#guard(stage, 'onEnding', () => stage.onEnding?.(span));
    }
    this.#guardDownstream('onEnding', () => this.#downstream.onEnding?.(span));
  }

  onEnd(span: ReadableSpan): void {
    this.#forward(span);
  }

  async forceFlush(): Promise<void> {
    for (const stage of this.#stages) {
      if (stage.forceFlush) await this.#guardAsync(stage, 'forceFlush', () => stage.forceFlush?.());
    }
    await this.#guardDownstreamAsync('forceFlush', () => this.#downstream.forceFlush());
  }

  async shutdown(): Promise<void> {
    for (const stage of this.#stages) {
      if (stage.shutdown) await this.#guardAsync(stage, 'shutdown', () => stage.shutdown?.());
    }
    await this.#guardDownstreamAsync('shutdown', () => this.#downstream.shutdown());
  }

  stats(): ProcessorStats {
    const stats = this.pipeline.stats();
    return { ...stats, errors: stats.errors + this.#stageErrors, stageErrors: this.#stageErrors };
  }

  /**
   * stage₁.onEnd → stage₂.onEnd → … → downstream.onEnd, each link forwarding at most once.
   * Stages forward held spans later, from a hold timer or a judge answer, outside any hook's
   * try: a downstream that throws there must not crash the process nor stop the other spans.
   */
  #chain(): ForwardSpan {
    let next: ForwardSpan = (span) => {
      try {
        this.#downstream.onEnd(span);
      } catch (error) {
        reportError('tracejudge downstream.onEnd', error, ++this.#stageErrors);
      }
    };
    for (const stage of [...this.#stages].reverse()) {
      const after = next;
      if (stage.attach) this.#guard(stage, 'attach', () => stage.attach?.(after));
      if (!stage.onEnd) continue;
      next = (span) => {
        let forwarded = false;
        const forward: ForwardSpan = (held) => {
          if (forwarded) return;
          forwarded = true;
          after(held);
        };
        try {
          stage.onEnd?.(span, forward);
        } catch (error) {
          reportError(`tracejudge stage ${stage.name}.onEnd`, error, ++this.#stageErrors);
          forward(span);
        }
      };
    }
    return next;
  }

  /** The downstream processor is the app's (an exporter's batcher): its failure is reported, never thrown into the app. */
  #guardDownstream(hook: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      reportError(`tracejudge downstream.${hook}`, error, ++this.#stageErrors);
    }
  }

  async #guardDownstreamAsync(hook: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      reportError(`tracejudge downstream.${hook}`, error, ++this.#stageErrors);
    }
  }

  #guard(stage: SpanStage, hook: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      reportError(`tracejudge stage ${stage.name}.${hook}`, error, ++this.#stageErrors);
    }
  }

  async #guardAsync(stage: SpanStage, hook: string, run: () => Promise<void> | undefined): Promise<void> {
    try {
      await run();
    } catch (error) {
      reportError(`tracejudge stage ${stage.name}.${hook}`, error, ++this.#stageErrors);
    }
  }
}
