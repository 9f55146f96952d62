/**
 * The floors under the collector bench's numbers: CPU per span of each step the collector runs
 * for a span, measured in this process on the same requests the load generator sends, without
 * HTTP, sockets or other processes. Their sum is a ceiling no collector process can pass on one
 * core, whatever its HTTP handling, which is why the table shows it next to the target.
 *
 * - decode: OTLP protobuf request → DecodedSpan (src/otlp);
 * - pipeline: the EvaluationPipeline as collect runs it (built-in checks, events added);
 * - encode: the forwarder's protobuf encoding (`encodeTraceRequest`: received bytes plus what
 *   was appended), with and without the evaluation events;
 * - serialize: the official `ProtobufTraceSerializer` on the ReadableSpan views, once per
 *   freshly decoded span (what the forwarder did before it kept the received bytes), with and
 *   without the evaluation events.
 */
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { pipelineOptionsFromConfig, EvaluationPipeline } from '../processors/index.ts';
import { decodeTraceRequestProtobuf, encodeTraceRequest } from '../src/otlp/index.ts';
import type { DecodedSpan } from '../src/otlp/index.ts';
import { dropEarlierInlineResults } from '../src/otlp/earlier-results.ts';
import { resolveConfig } from '../src/config/index.ts';
import { requestBody } from './collector-workload.ts';
import type { RequestTemplate } from './collector-workload.ts';

export interface Floors {
  /** Microseconds of CPU per span. */
  readonly decodeUs: number;
  readonly serializeUs: number;
  readonly pipelineUs: number;
  readonly serializeWithEventsUs: number;
  readonly encodeUs: number;
  readonly encodeWithEventsUs: number;
  readonly spansMeasured: number;
}

// This thread only: GC helper threads would charge one step's garbage to whichever step runs next.
const cpuMs = () => {
  const usage = process.threadCpuUsage();
  return (usage.user + usage.system) / 1000;
};

function evaluate(pipeline: EvaluationPipeline, spans: readonly DecodedSpan[]): void {
  // As CollectorService.acceptSpans: every span starts, then every span ends.
  for (const span of spans) dropEarlierInlineResults(span);
  for (const span of spans) pipeline.noteStart(span);
  for (const span of spans) pipeline.onEnding(span, span);
}

/** `requests` requests, the first `warmup` of them not counted (JIT, first conversation turns). */
export function measureFloors(template: RequestTemplate, openConversations: number, requests = 240, warmup = 40): Floors {
  const pipeline = new EvaluationPipeline(pipelineOptionsFromConfig(resolveConfig({}, { env: {} })));
  let decode = 0;
  let serialize = 0;
  let evaluation = 0;
  let serializeWithEvents = 0;
  let encode = 0;
  let encodeWithEvents = 0;
  let spans = 0;
  for (let n = 0; n < requests; n++) {
    const body = requestBody(template, n, openConversations);
    const t0 = cpuMs();
    const relayed = decodeTraceRequestProtobuf(body).spans;
    const t1 = cpuMs();
    ProtobufTraceSerializer.serializeRequest(relayed.map((span) => span.toReadableSpan()));
    const t2 = cpuMs();
    const checked = decodeTraceRequestProtobuf(body).spans;
    const t3 = cpuMs();
    evaluate(pipeline, checked);
    const t4 = cpuMs();
    ProtobufTraceSerializer.serializeRequest(checked.map((span) => span.toReadableSpan()));
    const t5 = cpuMs();
    encodeTraceRequest(relayed.map((span) => span.toReadableSpan()));
    const t6 = cpuMs();
    encodeTraceRequest(checked.map((span) => span.toReadableSpan()));
    const t7 = cpuMs();
    if (n < warmup) continue;
    encode += t6 - t5;
    encodeWithEvents += t7 - t6;
    decode += t1 - t0;
    serialize += t2 - t1;
    evaluation += t4 - t3;
    serializeWithEvents += t5 - t4;
    spans += relayed.length;
  }
  const perSpanUs = (ms: number) => (ms * 1000) / spans;
  return {
    decodeUs: perSpanUs(decode),
    serializeUs: perSpanUs(serialize),
    pipelineUs: perSpanUs(evaluation),
    serializeWithEventsUs: perSpanUs(serializeWithEvents),
    encodeUs: perSpanUs(encode),
    encodeWithEventsUs: perSpanUs(encodeWithEvents),
    spansMeasured: spans,
  };
}
