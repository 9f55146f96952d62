import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import { createOnlineStage } from '../../../processors/index.ts';
import type { OnlineStageParts } from '../../../processors/index.ts';
import type { DecodedSpan } from '../../otlp/index.ts';
import { StageDriver } from '../../../processors/stage-driver.ts';
import type { DrivenSpanSink } from '../../../processors/stage-driver.ts';
import type { TracejudgeConfig } from '../../config/index.ts';
import { HeldLines } from './held-lines.ts';
import { OnlineTally } from './online-tally.ts';
import type { OnlineSummaryJson } from './online-tally.ts';

/** Lines that may wait behind one whose span is held; past it, reading pauses until the head is due. */
const MAX_PENDING_LINES = 1000;
/** Evaluation child spans per extra output line. */
const CHILD_SPANS_PER_LINE = 500;
/** Child spans kept before they are written out (then mid-output rather than at the end: memory stays bounded). */
const MAX_KEPT_CHILD_SPANS = 5000;
/** Past the hold deadline the stage releases every span itself; this is only a safety margin. */
const HOLD_MARGIN_MS = 1000;

/** Writes one output line (with backpressure). */
export type WriteLine = (text: string) => Promise<void>;

/**
 * `tracejudge check --config`: the online stage (sampling decision on every
 * turn span, the judge with hold-and-release) after the inline checks, driven
 * over decoded lines as the collector drives it over requests. The stage's
 * clock is the data's (the latest span end seen), so idle timeouts and
 * budgets behave as they did live; hold deadlines and judge timeouts are real
 * time, as they bound real waiting.
 *
 * End of input ends every conversation: the sampled ones not yet judged are
 * judged then, and their held spans wait for the results (bounded by `holdMs`).
 */
export class OnlineCheck {
  readonly parts: OnlineStageParts;
  readonly lines: HeldLines;
  readonly #driver: StageDriver;
  readonly #tally: OnlineTally;
  readonly #config: TracejudgeConfig;
  /** The data's clock, epoch ms; `runCheck` advances it. */
  now = 0;
  conversationOfTrace: (traceId: string) => string | undefined = () => undefined;
  #childSpanLines = 0;

  private constructor(config: TracejudgeConfig, parts: OnlineStageParts, tally: OnlineTally, lines: HeldLines) {
    this.#config = config;
    this.parts = parts;
    this.#tally = tally;
    this.lines = lines;
    // Only `enqueue` is used by the driver: every forwarded span (held or not, or a child span) lands in the line queue.
    const forwarder: DrivenSpanSink = { enqueue: (spans: ReadableSpan[]) => (spans.forEach((span) => lines.forwarded(span)), true) };
    this.#driver = new StageDriver([parts.stage], forwarder, () => true);
  }

  /** Builds the stage from the config; throws the config's own errors (sampling settings, judge options). */
  static async start(config: TracejudgeConfig): Promise<OnlineCheck> {
    const tally = new OnlineTally();
    const lines = new HeldLines();
    let check: OnlineCheck | undefined;
    const parts = await createOnlineStage(config, {
      conversationOfTrace: (traceId) => check?.conversationOfTrace(traceId),
      now: () => check?.now ?? 0,
      meter: tally.meter,
      // A review destination of its own: it receives exactly what goes to review (below `review.below`, failed checks).
      reviewSinks: [tally.lowJudgeScores],
    }).catch(async (error: unknown) => {
      await tally.shutdown();
      throw error;
    });
    check = new OnlineCheck(config, parts, tally, lines);
    return check;
  }

  /** Before a line's spans end: the line is held until its spans are forwarded, and the stages see every start. */
  startLine(started: readonly DecodedSpan[], all: readonly DecodedSpan[]): void {
    this.lines.add(all);
    this.#driver.begin(started);
  }

  /**
   * The span as the stages write to it: `runCheck` hands it to the inline checks, then to `ending`,
   * span by span, so the stages read the view the checks made (as in the collector and the SDK).
   */
  writableOf(span: DecodedSpan): Span {
    return this.#driver.writableOf(span);
  }

  ending(writable: Span): void {
    this.#driver.ending(writable);
  }

  /** After the line's spans ended: the end hooks, then idle conversations (by the data's clock) end. */
  endLine(ended: readonly DecodedSpan[]): void {
    for (const span of this.#driver.end(ended)) this.lines.forwarded(span);
    this.parts.stage.sweepIdle(this.now);
  }

  /** Writes the lines now due; when too many wait behind a held one, waits for it (bounded by `holdMs`). */
  async writeDue(write: WriteLine, encode: (spans: readonly DecodedSpan[]) => string): Promise<void> {
    for (;;) {
      for (const spans of this.lines.takeDue()) await write(encode(spans));
      if (this.lines.childSpans.length > MAX_KEPT_CHILD_SPANS) await this.#writeChildSpans(write);
      if (this.lines.pendingLines <= MAX_PENDING_LINES) return;
      await this.lines.changed(this.#holdMs());
    }
  }

  /** End of input: judge what is left, write every line (with results where they came in time), then child spans. */
  async finish(write: WriteLine, encode: (spans: readonly DecodedSpan[]) => string): Promise<OnlineSummaryJson> {
    const idleMs = this.#config.conversations.idleTimeout;
    this.parts.stage.sweepIdle(this.now + idleMs + 1);
    const deadline = Date.now() + this.#holdMs() + HOLD_MARGIN_MS;
    while (this.lines.pendingLines > 0 && Date.now() < deadline) {
      for (const spans of this.lines.takeDue()) await write(encode(spans));
      if (this.lines.pendingLines > 0) await this.lines.changed(Math.max(1, deadline - Date.now()));
    }
    // Judgments still running are given the stage's drain deadline; their results go on child spans.
    await this.parts.stage.shutdown();
    for (const spans of this.lines.takeDue()) await write(encode(spans));
    await this.#writeChildSpans(write);
    const stats = this.parts.stage.stats();
    await this.parts.close();
    const summary = await this.#tally.read({
      judgeModel: this.#config.judge?.model ?? null,
      delivered: { spanEvents: stats.delivered.spanEvents, childSpans: stats.delivered.childSpans },
      childSpanLines: this.#childSpanLines,
    });
    await this.#tally.shutdown();
    return summary;
  }

  /** Nothing was read (the files could not be opened): stop the stage's timers and sinks. */
  async abandon(): Promise<void> {
    await this.parts.stage.shutdown();
    await this.parts.close();
    await this.#tally.shutdown();
  }

  #holdMs(): number {
    return this.#config.judge?.holdMs ?? 0;
  }

  async #writeChildSpans(write: WriteLine): Promise<void> {
    const spans = this.lines.childSpans.splice(0);
    for (let start = 0; start < spans.length; start += CHILD_SPANS_PER_LINE) {
      const body = JsonTraceSerializer.serializeRequest(spans.slice(start, start + CHILD_SPANS_PER_LINE));
      if (body === undefined) continue;
      await write(`${Buffer.from(body).toString('utf8')}\n`);
      this.#childSpanLines++;
    }
  }
}
