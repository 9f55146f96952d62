import { context, SpanKind, trace } from '@opentelemetry/api';
import { spanTime } from './clock.ts';
import type { Context, Tracer, TracerProvider } from '@opentelemetry/api';
import { GenAI } from '../src/model/attributes.ts';
import { appAttributes, optionalString } from './app-attributes.ts';
import type { AppAttributeValue } from './app-attributes.ts';
import { activeConversationOf, conversationIdOf } from './conversation-context.ts';
import { InstrumentationUsageError, recordError } from './errors.ts';
import { toolPayloadAttribute } from './genai-json.ts';
import { HELPERS_TRACER_NAME } from './tracer-names.ts';

export interface ToolCallOptions {
  /** The model's tool call id (`tool_calls[].id`), to join the call with its request and result. */
  readonly callId?: string;
  /** `gen_ai.tool.type`: `function` (default), `extension` or `datastore`. */
  readonly type?: string;
  /**
   * Record arguments and result on the span. Default: the enclosing conversation's
   * setting, else true — they are the app's own values, handed to the helper.
   */
  readonly captureContent?: boolean;
  readonly attributes?: Readonly<Record<string, AppAttributeValue>>;
  /** Default: the global tracer provider. Inside a turn, the conversation's. */
  readonly tracerProvider?: TracerProvider;
}

/**
 * Runs `fn(args)` inside an `execute_tool {name}` span (INTERNAL) that is the
 * active span meanwhile, so nested LLM calls and tools become its children.
 * A thrown error marks the span ERROR and is rethrown unchanged.
 */
export function traceTool<A, R>(
  name: string,
  args: A,
  fn: (args: A) => R | Promise<R>,
  options: ToolCallOptions = {},
): Promise<Awaited<R>> {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(HELPERS_TRACER_NAME);
  return runTool(tracer, context.active(), name, args, fn, options);
}

export async function runTool<A, R>(
  tracer: Tracer,
  parent: Context,
  name: string,
  args: A,
  fn: (args: A) => R | Promise<R>,
  options: ToolCallOptions,
): Promise<Awaited<R>> {
  if (typeof fn !== 'function') throw new InstrumentationUsageError('tool', 'fn', 'a function', fn);
  const toolName = optionalString(name, 'tool "name"', 'span named "execute_tool" without gen_ai.tool.name');
  const capture = options.captureContent ?? activeConversationOf(parent)?.captureContent ?? true;
  const attributes = appAttributes(options.attributes, `tool ${toolName ?? ''} attributes`);
  attributes[GenAI.OPERATION_NAME] = 'execute_tool';
  attributes[GenAI.TOOL_TYPE] = typeof options.type === 'string' && options.type ? options.type : 'function';
  if (toolName) attributes[GenAI.TOOL_NAME] = toolName;
  const conversationId = conversationIdOf(parent);
  if (conversationId) attributes[GenAI.CONVERSATION_ID] = conversationId;
  if (options.callId !== undefined) {
    const callId = optionalString(options.callId, `tool ${toolName ?? ''} callId`, 'no gen_ai.tool.call.id');
    if (callId) attributes[GenAI.TOOL_CALL_ID] = callId;
  }
  if (capture && args !== undefined) attributes[GenAI.TOOL_CALL_ARGUMENTS] = toolPayloadAttribute(args);

  const span = tracer.startSpan(
    toolName ? `execute_tool ${toolName}` : 'execute_tool',
    { kind: SpanKind.INTERNAL, attributes, startTime: spanTime() },
    parent,
  );
  try {
    const result = await context.with(trace.setSpan(parent, span), () => fn(args));
    if (capture && result !== undefined) span.setAttribute(GenAI.TOOL_CALL_RESULT, toolPayloadAttribute(result));
    return result;
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end(spanTime());
  }
}
