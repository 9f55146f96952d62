import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Attributes, Span, Tracer } from '@opentelemetry/api';

/**
 * Agent spans as GenAI semconv instrumentation writes them, with the plain OTel
 * tracer: `invoke_agent` (the turn) → `execute_tool` children → a `chat`
 * child whose input carries the tool answers and whose output is the reply.
 * Only the turn span states `gen_ai.conversation.id`, as apps do.
 */

export interface ToolStep {
  readonly name: string;
  readonly result: unknown;
  readonly arguments?: unknown;
}

export interface TurnSpec {
  readonly conversationId?: string;
  readonly user: string;
  readonly tools?: readonly ToolStep[];
  readonly reply: string;
  /** What the turn span records as its output; the reply by default, `null` for none. */
  readonly agentReply?: string | null;
  readonly systemInstructions?: string;
  /** Extra attributes on the chat span (e.g. to make its content malformed). */
  readonly chatAttributes?: Attributes;
  readonly responseId?: string;
}

export interface TurnSpans {
  readonly traceId: string;
  readonly turnSpanId: string;
  readonly chatSpanId: string;
  readonly toolSpanIds: readonly string[];
}

export function runTurn(tracer: Tracer, spec: TurnSpec): TurnSpans {
  const turn = tracer.startSpan(
    'invoke_agent support-agent',
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'support-agent',
        'gen_ai.provider.name': 'openai',
        ...(spec.conversationId !== undefined && { 'gen_ai.conversation.id': spec.conversationId }),
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: spec.user }] }]),
      },
    },
    context.active(),
  );
  const inside = trace.setSpan(context.active(), turn);
  const toolSpanIds: string[] = [];
  const toolMessages: unknown[] = [];
  (spec.tools ?? []).forEach((tool, index) => {
    const id = `call_${index}`;
    const span = tracer.startSpan(
      `execute_tool ${tool.name}`,
      {
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': tool.name,
          'gen_ai.tool.call.id': id,
          'gen_ai.tool.call.arguments': JSON.stringify(tool.arguments ?? {}),
          'gen_ai.tool.call.result': typeof tool.result === 'string' ? tool.result : JSON.stringify(tool.result),
        },
      },
      inside,
    );
    toolSpanIds.push(span.spanContext().spanId);
    span.end();
    toolMessages.push(
      { role: 'assistant', parts: [{ type: 'tool_call', id, name: tool.name, arguments: tool.arguments ?? {} }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id, response: tool.result }] },
    );
  });

  const chat = chatSpan(tracer, inside, spec, toolMessages);
  const chatSpanId = chat.spanContext().spanId;
  chat.end();

  const agentReply = spec.agentReply === undefined ? spec.reply : spec.agentReply;
  if (agentReply !== null) turn.setAttribute('gen_ai.output.messages', outputMessages(agentReply));
  turn.end();
  return { traceId: turn.spanContext().traceId, turnSpanId: turn.spanContext().spanId, chatSpanId, toolSpanIds };
}

function chatSpan(tracer: Tracer, parent: ReturnType<typeof context.active>, spec: TurnSpec, toolMessages: unknown[]): Span {
  const span = tracer.startSpan('chat gpt-4.1-mini', { kind: SpanKind.CLIENT }, parent);
  span.setAttributes({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4.1-mini',
    'gen_ai.response.id': spec.responseId ?? 'chatcmpl-1',
    'gen_ai.usage.input_tokens': 420,
    'gen_ai.usage.output_tokens': 64,
    ...(spec.systemInstructions !== undefined && {
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: spec.systemInstructions }]),
    }),
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: spec.user }] }, ...toolMessages]),
    'gen_ai.output.messages': outputMessages(spec.reply),
    ...spec.chatAttributes,
  });
  return span;
}

function outputMessages(text: string): string {
  return JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: text }], finish_reason: 'stop' }]);
}
