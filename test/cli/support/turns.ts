import type { HrTime } from '@opentelemetry/api';
import { SpanKind } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { expect } from 'vitest';
import { decodeTraceRequestJson } from '../../../src/otlp/index.ts';
import type { DecodedSpan } from '../../../src/otlp/index.ts';
import { recordSpans } from '../../otlp/sdk-spans.ts';
import type { SpanSpec } from '../../otlp/sdk-spans.ts';

export interface TurnSpec {
  readonly conversationId: string;
  /** What a tool returned in this turn (structured, as SDK 3.x records it). */
  readonly toolResult?: Record<string, unknown>;
  readonly reply: string;
  /** Seconds since the epoch at which the turn starts. */
  readonly at: number;
}

const t = (seconds: number, nanos = 0): HrTime => [seconds, nanos];

/** One agent turn as real SDK spans: invoke_agent → (execute_tool) → chat, GenAI semconv with structured values. */
export function turnSpecs(turn: TurnSpec): SpanSpec[] {
  const children: SpanSpec[] = [];
  if (turn.toolResult !== undefined) {
    children.push({
      name: 'execute_tool lookup_price',
      start: t(turn.at, 1_000),
      end: t(turn.at, 2_000),
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'lookup_price',
        'gen_ai.tool.call.id': 'call-1',
        'gen_ai.tool.call.result': turn.toolResult,
      },
    });
  }
  children.push({
    name: 'chat gpt-4.1-mini',
    kind: SpanKind.CLIENT,
    start: t(turn.at, 3_000),
    end: t(turn.at, 4_000),
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.output.messages': [{ role: 'assistant', parts: [{ type: 'text', content: turn.reply }], finish_reason: 'stop' }],
    },
  });
  return [
    {
      name: 'invoke_agent concierge',
      start: t(turn.at),
      end: t(turn.at, 5_000),
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'concierge', 'gen_ai.conversation.id': turn.conversationId },
      children,
    },
  ];
}

/** One line of the Collector file exporter's format, serialized by the official OTLP/JSON serializer. */
export async function otlpJsonLine(...turns: TurnSpec[]): Promise<string> {
  const spans = await recordSpans(turns.flatMap(turnSpecs));
  return Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8');
}

/** Output of the check command, line by line, decoded back to spans (every span must decode). */
export function outputSpans(text: string): DecodedSpan[][] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const decoded = decodeTraceRequestJson(line);
      expect(decoded.rejected).toEqual([]);
      return decoded.spans;
    });
}

/** The evaluation events on a decoded span, as {check: label}. */
export function labels(span: DecodedSpan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const event of span.events) {
    if (event.name === 'gen_ai.evaluation.result') out[String(event.attributes['gen_ai.evaluation.name'])] = event.attributes['gen_ai.evaluation.score.label'];
  }
  return out;
}
