import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { EvaluationPipeline } from '../../../processors/index.ts';
import type { EvaluationPipelineOptions } from '../../../processors/index.ts';
import { decodeLogsRequestJson, decodeTraceRequestJson, encodeTraceRequestJson, genAIContentOf, OtlpDecodeError } from '../../otlp/index.ts';
import type { DecodedSpan } from '../../otlp/index.ts';
import { dropEarlierInlineResults } from '../../otlp/earlier-results.ts';
import { spanRangesOf, spliceSpans } from '../../otlp/json-splice.ts';
import { endOrder, startOrder } from '../../otlp/replay-order.ts';
import { CheckSummary } from './check-summary.ts';
import type { CheckSummaryJson } from './check-summary.ts';
import { readLines } from './lines.ts';
import type { OnlineCheck } from './online-check.ts';
import { ResultLogLines } from './result-log-lines.ts';

/** The receiver's body limit (OTLP spec recommends 64 MiB) applies to a line too. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;
/** Rejections written to stderr as they happen; the rest are counted in the summary. */
const MAX_REPORTED_REJECTIONS = 100;

/** One `--in`: a file (read twice: its logs lines first, then everything) or a stream (read once). */
export interface CheckInput {
  /** For messages: the path, or `-` for stdin. */
  readonly name: string;
  open(): Promise<AsyncIterable<Buffer | string>>;
  /** Whether `open` may be called again (a file), so its content records join spans of every input. */
  readonly reopenable: boolean;
}

export interface CheckRunOptions {
  /**
   * OTLP/JSON lines (the Collector file exporter's format): each an `ExportTraceServiceRequest`
   * (`resourceSpans`) or an `ExportLogsServiceRequest` (`resourceLogs`; the exporter writes each
   * signal to its own file). One stream, or several inputs read one after the other.
   */
  readonly input: AsyncIterable<Buffer | string> | readonly CheckInput[];
  /** The trace lines with evaluation events added; one line per accepted input line. */
  readonly output: Writable;
  /** Where logs lines go: the input's, unchanged, and results as log-based events. Default: `output`. */
  readonly logsOutput?: Writable;
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
  /** Every result also as a log-based event line (`events.logs`); those of late content always are. */
  readonly resultLogs?: boolean;
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
  const resultLines = new ResultLogLines();
  const pipeline = new EvaluationPipeline({
    ...options.pipeline,
    sinks: [...(options.pipeline?.sinks ?? []), ...(online ? online.parts.checkSinks : []), ...(options.resultLogs ? [resultLines.sink] : [])],
    lateSinks: options.resultLogs ? [] : [resultLines.sink],
    lateContent: 'manual',
    now: () => clockMs,
  });
  if (online) online.conversationOfTrace = (traceId) => pipeline.conversationOfTrace(traceId);
  const writeLine = (text: string) => write(options.output, text);
  const logsOutput = options.logsOutput ?? options.output;
  const writeLogsLine = (text: string) => write(logsOutput, text);
  // A line is written back as it came, with what the pipeline appended spliced in (json-splice.ts);
  // lines whose layout the splice cannot follow, and spans made here (judge child spans), are encoded.
  const sourceOfLine = new WeakMap<readonly DecodedSpan[], { readonly text: string; readonly ranges: [number, number][] }>();
  const encode = (spans: readonly DecodedSpan[]) => {
    const source = sourceOfLine.get(spans);
    return `${source === undefined ? encodeTraceRequestJson(spans) : spliceSpans(source.text, source.ranges, spans)}\n`;
  };
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
  const inputs: readonly CheckInput[] = Array.isArray(options.input)
    ? (options.input as readonly CheckInput[])
    : [{ name: '-', open: () => Promise.resolve(options.input as AsyncIterable<Buffer | string>), reopenable: false }];
  const prefix = (input: CheckInput, number: number) => (inputs.length > 1 ? `${input.name}:${number}` : `line ${number}`);

  // Logs and spans are joined as in collect, but a file is all there at once: the content records
  // of every file input are read first, so each span meets its content whichever file holds it.
  const contentRead = new Set<CheckInput>();
  for (const input of inputs) {
    if (!input.reopenable) continue;
    for await (const line of readLines(await input.open(), maxLineBytes)) {
      if ('tooLongBytes' in line || !isLogsLine(line.text)) continue;
      try {
        // Records wait for their spans in the data's time, as spans are evaluated in it: the join's
        // age bound then means "this long after the record", whatever the order of the files and
        // however long the data spans (nothing read ahead expires before the spans are read).
        pipeline.addContent(genAIContentOf(decodeLogsRequestJson(line.text).records), { atRecordTimes: true });
      } catch (error) {
        if (!(error instanceof OtlpDecodeError)) throw error; // reported in the main pass
      }
    }
    contentRead.add(input);
  }
  clockMs = 0;

  const decodeLine = async <T,>(decode: () => T, where: string): Promise<T | undefined> => {
    try {
      return decode();
    } catch (error) {
      if (!(error instanceof OtlpDecodeError)) throw error;
      summary.linesRejected++;
      await reject(`${where}: ${error.message}`);
      return undefined;
    }
  };

  const flushResultLines = async () => {
    summary.noteResults(pipeline.flushLateContent());
    const line = resultLines.takeLine();
    if (line !== undefined) await writeLogsLine(line);
  };

  for (const input of inputs) {
    for await (const line of readLines(await input.open(), maxLineBytes)) {
      if ('tooLongBytes' in line) {
        summary.linesRead++;
        summary.linesRejected++;
        await reject(`${prefix(input, line.number)}: longer than the ${maxLineBytes}-byte limit (${line.tooLongBytes} bytes); skipped`);
        continue;
      }
      if (line.text.trim() === '') continue; // a blank line is not a request
      summary.linesRead++;
      const where = prefix(input, line.number);
      const logsLine = isLogsLine(line.text);
      // A line is one request of either signal; one that cannot be read is rejected whole, counted, and skipped.
      const decodedLine = await decodeLine(() => (logsLine ? decodeLogsRequestJson(line.text) : decodeTraceRequestJson(line.text)), where);
      if (decodedLine === undefined) continue;
      summary.linesAccepted++;
      for (const rejection of decodedLine.rejected) await reject(`${where}: ${rejection.message}`);
      if ('records' in decodedLine) {
        summary.logRecordsAccepted += decodedLine.records.length;
        summary.logRecordsRejected += decodedLine.rejected.length;
        if (!contentRead.has(input)) pipeline.addContent(genAIContentOf(decodedLine.records));
        // Every input record is kept: the line goes out as it came.
        await writeLogsLine(`${line.text}\n`);
        await flushResultLines();
        continue;
      }
      const decoded = decodedLine;
      if (decoded.rejected.length === 0 && decoded.spans.length > 0) {
        const ranges = spanRangesOf(line.text);
        if (ranges !== undefined && ranges.length === decoded.spans.length) sourceOfLine.set(decoded.spans, { text: line.text, ranges });
      }
      summary.spansAccepted += decoded.spans.length;
      summary.spansRejected += decoded.rejected.length;

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
      if (!online) await writeLine(encode(decoded.spans));
      else {
        online.endLine(ended);
        await online.writeDue(writeLine, encode);
      }
      await flushResultLines();
    }
  }
  const onlineSummary = online ? await online.finish(writeLine, encode) : undefined;
  await flushResultLines();
  summary.resultLogRecords = resultLines.written;
  return summary.toJson(pipeline.stats(), onlineSummary);
}

/** A logs line (`resourceLogs`) rather than a traces line: the key, outside any string, before any `resourceSpans`. */
function isLogsLine(text: string): boolean {
  const logs = text.indexOf('"resourceLogs"');
  if (logs === -1) return false;
  const spans = text.indexOf('"resourceSpans"');
  return spans === -1 || logs < spans;
}
