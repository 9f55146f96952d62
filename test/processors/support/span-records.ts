import type { Attributes as ApiAttributes } from '@opentelemetry/api';
import type { Attributes, SpanRecord } from '../../../src/model/index.ts';
import type { MutableSpanTarget } from '../../../processors/index.ts';

/**
 * SpanRecords as a collector or batch front door hands them to the pipeline
 * (decoded OTLP: no SDK span), and a target that keeps the events written.
 */

let counter = 0;
const hex = (value: number, width: number): string => value.toString(16).padStart(width, '0');

export function newTraceId(): string {
  return hex(++counter, 32);
}

export function record(traceId: string, name: string, attributes: Attributes, parentSpanId?: string): SpanRecord {
  return {
    traceId,
    spanId: hex(++counter, 16),
    ...(parentSpanId !== undefined && { parentSpanId }),
    name,
    kind: 1,
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_000_500_000_000n,
    attributes,
    resourceAttributes: { 'service.name': 'agent' },
    status: { code: 0 },
    events: [],
  };
}

export function toolSpan(traceId: string, result: unknown, parentSpanId?: string): SpanRecord {
  return record(
    traceId,
    'execute_tool lookup',
    { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup', 'gen_ai.tool.call.result': JSON.stringify(result) },
    parentSpanId,
  );
}

export function chatSpan(traceId: string, reply: string, extra: Attributes = {}, parentSpanId?: string): SpanRecord {
  return record(
    traceId,
    'chat gpt-4.1-mini',
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: reply }] }]),
      ...extra,
    },
    parentSpanId,
  );
}

export function agentSpan(traceId: string, conversationId: string | undefined, reply?: string): SpanRecord {
  return record(traceId, 'invoke_agent support', {
    'gen_ai.operation.name': 'invoke_agent',
    ...(conversationId !== undefined && { 'gen_ai.conversation.id': conversationId }),
    ...(reply !== undefined && {
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: reply }] }]),
    }),
  });
}

/** Keeps what the pipeline writes on a span. */
export class RecordingTarget implements MutableSpanTarget {
  readonly events: { name: string; attributes: ApiAttributes }[] = [];

  addEvent(name: string, attributes: ApiAttributes): void {
    this.events.push({ name, attributes });
  }

  results(): ApiAttributes[] {
    return this.events.filter((event) => event.name === 'gen_ai.evaluation.result').map((event) => event.attributes);
  }

  label(check: string): unknown {
    return this.results().find((attributes) => attributes['gen_ai.evaluation.name'] === check)?.['gen_ai.evaluation.score.label'];
  }
}
