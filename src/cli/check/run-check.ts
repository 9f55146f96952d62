import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { EvaluationPipeline } from '../../../processors/index.ts';
import type { EvaluationPipelineOptions } from '../../../processors/index.ts';
import { decodeTraceRequestJson, encodeTraceRequestJson, OtlpDecodeError } from '../../collector/otlp/index.ts';
import type { DecodedSpan } from '../../collector/otlp/index.ts';
import { dropEarlierInlineResults } from '../../collector/service-earlier-results.ts';
import { endOrder, startOrder } from '../../collector/replay-order.ts';
import { CheckSummary } from './check-summary.ts';
import type { CheckSummaryJson } from './check-summary.ts';
import { readLines } from './lines.ts';
import type { OnlineCheck } from './online-check.ts';

/** The receiver's body limit (OTLP spec recommends 64 MiB) applies to a line too. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;
/** Rejections written to stderr as they happen; the rest are counted in the summary. */
const MAX_REPORTED_REJECTIONS = 100;

export interface CheckRunOptions {
  /** OTLP/JSON, one `ExportTraceServiceRequest` per line (the Collector file exporter's format). */
  readonly input: AsyncIterable<Buffer | string>;
  /** The same lines with evaluation events added; one line per accepted input line. */
  readonly output: Writable;
  /** Where rejected lines and spans are reported, each with its line number. */
  readonly diagnostics: Writable;
  readonly pipeline?: Omit<EvaluationPipelineOptions, 'now'>;
  readonly maxLineBytes?: number;
  /**
   * Sampling and the judge per config (`--config`), after the inline checks.
   * Lines keep their order; one with a span held for its judge results is
   * written when they arrive (bounded by `holdMs`).
   */
  readonly online?: OnlineCheck;
}


async function write(stream: Writable, text: string): Promise<void> {
  // Backpressure: wait for the consumer instead of buffering the whole output.
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * `tracejudge check` over a stream: each line is decoded, its spans go
 * through one EvaluationPipeline as an SDK would drive it (every start noted,
 * then each span ends in end-time order, getting its evaluation events), and
 * the line is written back with the events. One pipeline for the whole input,
 * so a conversation split over lines is joined by `gen_ai.conversation.id`.
 *
 * Results an earlier inline evaluation left on the spans are replaced, so
 * running `check` again (or over SDK-evaluated spans) does not double them.
 *
 * The pipeline's clock is the data's: the latest span end seen so far. Idle
 * expiry then behaves as it did live, and the output does not depend on how
 * fast the machine reads.
 */
export async function runCheck(options: CheckRunOptions): Promise<CheckSummaryJson> {
  let clockMs = 0;
  const online = options.online;
  const pipeline = new EvaluationPipeline({
    ...options.pipeline,
    ...(online && { sinks: [...(options.pipeline?.sinks ?? []), ...online.parts.checkSinks] }),
    now: () => clockMs,
  });
  if (online) online.conversationOfTrace = (traceId) => pipeline.conversationOfTrace(traceId);
  const writeLine = (text: string) => write(options.output, text);
  const encode = (spans: readonly DecodedSpan[]) => `${encodeTraceRequestJson(spans)}\n`;
  const summary = new CheckSummary();
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let reported = 0;
  const reject = async (message: string) => {
    summary.noteRejection(message);
    if (reported++ < MAX_REPORTED_REJECTIONS) await write(options.diagnostics, `${message}\n`);
    else if (reported === MAX_REPORTED_REJECTIONS + 1) {
      await write(options.diagnostics, `… further rejections are counted, not listed (see --summary-json)\n`);
    }
  };

  for await (const line of readLines(options.input, maxLineBytes)) {
    if ('tooLongBytes' in line) {
      summary.linesRead++;
      summary.linesRejected++;
      await reject(`line ${line.number}: longer than the ${maxLineBytes}-byte limit (${line.tooLongBytes} bytes); skipped`);
      continue;
    }
    if (line.text.trim() === '') continue; // a blank line is not a request
    summary.linesRead++;
    let decoded;
    try {
      decoded = decodeTraceRequestJson(line.text);
    } catch (error) {
      if (!(error instanceof OtlpDecodeError)) throw error;
      summary.linesRejected++;
      await reject(`line ${line.number}: ${error.message}`);
      continue;
    }
    summary.linesAccepted++;
    summary.spansAccepted += decoded.spans.length;
    summary.spansRejected += decoded.rejected.length;
    for (const rejection of decoded.rejected) await reject(`line ${line.number}: ${rejection.message}`);

    for (const span of decoded.spans) summary.earlierResultsReplaced += dropEarlierInlineResults(span);
    const started = startOrder(decoded.spans);
    const ended = endOrder(decoded.spans);
    for (const span of started) pipeline.noteStart(span);
    if (online) {
      // The stages' clock is the line's latest end; the checks' clock moves span by span.
      let lineEndMs = clockMs;
      for (const span of ended) lineEndMs = Math.max(lineEndMs, Number(span.endTimeUnixNano / 1_000_000n));
      online.now = lineEndMs;
      online.startLine(started, decoded.spans);
    }
    for (const span of ended) {
      const endMs = Number(span.endTimeUnixNano / 1_000_000n);
      if (endMs > clockMs) clockMs = endMs;
      const writable = online?.writableOf(span);
      summary.noteResults(pipeline.onEnding(span, writable ?? span));
      if (writable) online!.ending(writable);
    }
    if (!online) {
      await writeLine(encode(decoded.spans));
      continue;
    }
    online.endLine(ended);
    await online.writeDue(writeLine, encode);
  }
  const onlineSummary = online ? await online.finish(writeLine, encode) : undefined;
  return summary.toJson(pipeline.stats(), onlineSummary);
}
