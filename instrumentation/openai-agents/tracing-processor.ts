import { context as otelContext, diag, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, TracerProvider } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { GenAI } from '../../src/model/attributes.ts';
import { cohortAttributes } from '../app-attributes.ts';
import { conversationIdOf } from '../conversation-context.ts';
import { toJsonAttribute } from '../genai-json.ts';
import type { GenAIMessage, GenAIOutputMessage } from '../genai-json.ts';
import { captureMessageContent } from '../openai/capture.ts';
import { AGENTS_TRACER_NAME } from '../tracer-names.ts';
import type { AgentsSpan, AgentsSpanError, AgentsTrace, AgentsTracingProcessor } from './agents-types.ts';
import { AGENTS_PREFIX, mapSpanData } from './span-data.ts';

export interface OpenAIAgentsTracingOptions {
  /** Where the spans go; the global provider when omitted. */
  readonly tracerProvider?: TracerProvider;
  /**
   * Record messages, instructions, tool arguments and results (what the checks and the judge read).
   * Same rule as `instrumentOpenAI`: this option, else `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`.
   * The SDK itself only records content when its own `traceIncludeSensitiveData` is on (the default).
   */
  readonly captureMessageContent?: boolean;
  /** Bridged spans open at once, beyond which new ones are dropped with a warning (a run that never ends must not grow memory). */
  readonly maxOpenSpans?: number;
}

interface OpenTrace {
  readonly trace: AgentsTrace;
  readonly span: Span;
  readonly context: Context;
  readonly conversationId: string | undefined;
  readonly capture: boolean;
  agentName?: string;
  userInput?: readonly GenAIMessage[];
  reply?: readonly GenAIOutputMessage[];
  failure?: AgentsSpanError;
}

interface OpenSpan {
  readonly span: Span;
  readonly context: Context;
}

const DEFAULT_MAX_OPEN_SPANS = 10_000;

/**
 * Turns the OpenAI Agents SDK's traces into GenAI-semconv OpenTelemetry spans on the app's
 * tracer provider (docs/instrumentation.md, "OpenAI Agents SDK"). Register it with the SDK's
 * `addTraceProcessor` (the SDK keeps exporting to OpenAI) or `setTraceProcessors([…])` (it does not).
 *
 * One SDK trace is one run of the agent: one turn of a conversation. It becomes an
 * `invoke_agent {agent}` span carrying the user's input, the final reply and
 * `gen_ai.conversation.id` from the trace's `groupId` (the SDK's conversation grouping).
 * SDK spans become its descendants, with their own timing and parents. Every callback is
 * guarded: a failure here is logged through `diag`, never thrown into the run.
 */
export class OpenAIAgentsTracingProcessor implements AgentsTracingProcessor {
  readonly #options: OpenAIAgentsTracingOptions;
  readonly #traces = new Map<string, OpenTrace>();
  readonly #spans = new Map<string, OpenSpan>();
  readonly #maxOpen: number;
  #overflowWarned = false;

  constructor(options: OpenAIAgentsTracingOptions = {}) {
    this.#options = options;
    this.#maxOpen = options.maxOpenSpans ?? DEFAULT_MAX_OPEN_SPANS;
  }

  async onTraceStart(agentsTrace: AgentsTrace): Promise<void> {
    this.#guard('onTraceStart', () => {
      if (!this.#hasRoom()) return;
      const parent = otelContext.active();
      const conversationId = nonEmpty(agentsTrace.groupId) ?? conversationIdOf(parent);
      const attributes: Attributes = { [GenAI.OPERATION_NAME]: 'invoke_agent', ...traceAttributes(agentsTrace) };
      if (conversationId) attributes[GenAI.CONVERSATION_ID] = conversationId;
      const span = this.#tracer().startSpan('invoke_agent', { kind: SpanKind.INTERNAL, attributes, startTime: new Date() }, parent);
      const capture = captureMessageContent(this.#options.captureMessageContent);
      this.#traces.set(agentsTrace.traceId, { trace: agentsTrace, span, context: trace.setSpan(parent, span), conversationId, capture });
    });
  }

  async onSpanStart(agentsSpan: AgentsSpan): Promise<void> {
    this.#guard('onSpanStart', () => {
      if (!this.#hasRoom()) return;
      const owner = this.#traces.get(agentsSpan.traceId);
      const parent = (agentsSpan.parentId ? this.#spans.get(agentsSpan.parentId)?.context : undefined) ?? owner?.context ?? otelContext.active();
      const attributes: Attributes = { [`${AGENTS_PREFIX}span.type`]: agentsSpan.spanData.type };
      if (owner?.conversationId) attributes[GenAI.CONVERSATION_ID] = owner.conversationId;
      const span = this.#tracer().startSpan(agentsSpan.spanData.type, { kind: kindOf(agentsSpan.spanData.type), attributes, startTime: timeOf(agentsSpan.startedAt) }, parent);
      this.#spans.set(agentsSpan.spanId, { span, context: trace.setSpan(parent, span) });
    });
  }

  async onSpanEnd(agentsSpan: AgentsSpan): Promise<void> {
    this.#guard('onSpanEnd', () => {
      const open = this.#spans.get(agentsSpan.spanId);
      if (!open) return;
      this.#spans.delete(agentsSpan.spanId);
      const owner = this.#traces.get(agentsSpan.traceId);
      try {
        const mapped = mapSpanData(agentsSpan.spanData, owner?.capture ?? captureMessageContent(this.#options.captureMessageContent));
        open.span.updateName(mapped.name);
        open.span.setAttributes(mapped.attributes);
        if (owner) noteForTurn(owner, agentsSpan, mapped);
        if (agentsSpan.error) markFailed(open.span, agentsSpan.error);
      } finally {
        open.span.end(timeOf(agentsSpan.endedAt));
      }
      // A run that throws ends its task span with the error but never its trace (agents-core 0.20
      // ends traces only on success): the turn ends with the run.
      if (owner && agentsSpan.parentId === null && agentsSpan.spanData.type === 'task' && agentsSpan.error) {
        owner.failure ??= agentsSpan.error;
        this.#endTrace(owner);
      }
    });
  }

  async onTraceEnd(agentsTrace: AgentsTrace): Promise<void> {
    this.#guard('onTraceEnd', () => {
      const open = this.#traces.get(agentsTrace.traceId);
      if (open) this.#endTrace(open, agentsTrace);
    });
  }

  #endTrace(open: OpenTrace, agentsTrace: AgentsTrace = open.trace): void {
    this.#traces.delete(agentsTrace.traceId);
    try {
      endTurn(open, agentsTrace);
    } finally {
      open.span.end(new Date());
    }
  }

  /** Ends what is still open (a run cut off by process exit), so its spans are not lost. */
  async shutdown(): Promise<void> {
    this.#guard('shutdown', () => {
      for (const open of this.#spans.values()) open.span.end();
      this.#spans.clear();
      for (const open of this.#traces.values()) open.span.end();
      this.#traces.clear();
    });
  }

  /** The spans are the tracer provider's: flush it (or `setupTracejudge`'s handle) to export them. */
  async forceFlush(): Promise<void> {}

  #tracer() {
    return (this.#options.tracerProvider ?? trace.getTracerProvider()).getTracer(AGENTS_TRACER_NAME);
  }

  #hasRoom(): boolean {
    if (this.#traces.size + this.#spans.size < this.#maxOpen) return true;
    if (!this.#overflowWarned) {
      this.#overflowWarned = true;
      diag.warn(`tracejudge: ${this.#maxOpen} Agents SDK spans are open at once (runs that never end?); further ones are not bridged`);
    }
    return false;
  }

  #guard(where: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      diag.error(`tracejudge: the OpenAI Agents tracing bridge failed in ${where}; the run goes on`, error);
    }
  }
}

function traceAttributes(agentsTrace: AgentsTrace): Attributes {
  const attributes: Attributes = { [`${AGENTS_PREFIX}workflow.name`]: agentsTrace.name, [`${AGENTS_PREFIX}trace.id`]: agentsTrace.traceId };
  const scalars: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(agentsTrace.metadata ?? {})) {
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) scalars[key] = value;
  }
  return { ...attributes, ...cohortAttributes(scalars, 'OpenAI Agents trace metadata') };
}

/** The turn's input is the user's message(s) that started the run; its reply is the last model output with text. */
function noteForTurn(owner: OpenTrace, agentsSpan: AgentsSpan, mapped: ReturnType<typeof mapSpanData>): void {
  if (agentsSpan.spanData.type === 'agent' && owner.agentName === undefined) {
    owner.agentName = typeof agentsSpan.spanData.name === 'string' ? agentsSpan.spanData.name : undefined;
  }
  if (agentsSpan.spanData.type === 'agent' && agentsSpan.error) owner.failure = agentsSpan.error;
  if (!mapped.model) return;
  owner.userInput ??= trailingUserMessages(mapped.model.input);
  const replies = mapped.model.output.filter((message) => message.role === 'assistant' && message.parts.some((part) => part.type === 'text'));
  if (replies.length) owner.reply = replies;
}

function trailingUserMessages(messages: readonly GenAIMessage[]): readonly GenAIMessage[] {
  let start = messages.length;
  while (start > 0 && messages[start - 1]!.role === 'user') start -= 1;
  return messages.slice(start);
}

function endTurn(open: OpenTrace, agentsTrace: AgentsTrace): void {
  const attributes: Attributes = {};
  if (open.agentName) {
    open.span.updateName(`invoke_agent ${open.agentName}`);
    attributes[GenAI.AGENT_NAME] = open.agentName;
  }
  if (open.capture) {
    if (open.userInput?.length) attributes[GenAI.INPUT_MESSAGES] = toJsonAttribute(open.userInput);
    if (open.reply?.length) attributes[GenAI.OUTPUT_MESSAGES] = toJsonAttribute(open.reply);
  }
  // Metadata may be filled in while the run goes on.
  open.span.setAttributes({ ...attributes, ...traceAttributes(agentsTrace) });
  if (open.failure) markFailed(open.span, open.failure);
}

/**
 * The SDK's error messages are fixed phrases ("Error running tool", "Error in agent run"): low
 * cardinality, so they are the `error.type`; the detail it adds (the thrown error's text) goes to
 * the status description only.
 */
function markFailed(span: Span, error: AgentsSpanError): void {
  const detail = error.data?.error;
  span.setAttribute(ATTR_ERROR_TYPE, error.message || '_OTHER');
  span.setStatus({ code: SpanStatusCode.ERROR, message: typeof detail === 'string' && detail ? `${error.message}: ${detail}` : error.message });
}

/** Known at start, unlike the name (a model call learns its model while it runs). */
function kindOf(type: string): SpanKind {
  return type === 'generation' || type === 'response' ? SpanKind.CLIENT : SpanKind.INTERNAL;
}

function timeOf(iso: string | null): Date {
  const parsed = iso ? new Date(iso) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : new Date();
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
