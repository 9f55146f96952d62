import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { App, GenAI } from '../model/attributes.ts';

/** What the runner learns from a run's spans: evaluation results, tool calls, outcome, usage. */
export interface RunTrace {
  readonly checks: { name: string; score?: number; label?: string; explanation?: string; error?: string }[];
  readonly toolCalls: { name: string; arguments?: Record<string, unknown> }[];
  readonly outcomes: Set<string>;
  readonly models: Set<string>;
  inputTokens: number;
  outputTokens: number;
  agentVersion?: string;
}

function emptyTrace(): RunTrace {
  return { checks: [], toolCalls: [], outcomes: new Set(), models: new Set(), inputTokens: 0, outputTokens: 0 };
}

function parseArguments(value: unknown): Record<string, unknown> | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  if (typeof value !== 'string') return undefined;
  try {
    const parsed = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Downstream of the EvaluationSpanProcessor: reads each ended span (with the
 * evaluation events the inline checks put on it) into the RunTrace of its
 * conversation, then forwards it unchanged (to the OTLP exporter, when set).
 * Spans without the conversation attribute join their trace's conversation.
 */
export class RunTraceCollector implements SpanProcessor {
  readonly #next: SpanProcessor | undefined;
  readonly #byTrace = new Map<string, RunTrace>();
  readonly #conversationOfTrace = new Map<string, string>();

  constructor(next?: SpanProcessor) {
    this.#next = next;
  }

  onStart(span: Span, parentContext: Context): void {
    this.#next?.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    this.#next?.onEnding?.(span);
  }

  onEnd(span: ReadableSpan): void {
    try {
      this.#collect(span);
    } finally {
      this.#next?.onEnd(span);
    }
  }

  #collect(span: ReadableSpan): void {
    const traceId = span.spanContext().traceId;
    const attributes = span.attributes;
    const conversationId = attributes[GenAI.CONVERSATION_ID];
    if (typeof conversationId === 'string') this.#conversationOfTrace.set(traceId, conversationId);
    let trace = this.#byTrace.get(traceId);
    if (!trace) this.#byTrace.set(traceId, (trace = emptyTrace()));
    for (const event of span.events) {
      if (event.name !== 'gen_ai.evaluation.result') continue;
      const at = event.attributes ?? {};
      const name = at['gen_ai.evaluation.name'];
      if (typeof name !== 'string') continue;
      const score = at['gen_ai.evaluation.score.value'];
      const label = at['gen_ai.evaluation.score.label'];
      const explanation = at['gen_ai.evaluation.explanation'];
      const error = at['error.type'];
      trace.checks.push({
        name,
        ...(typeof score === 'number' ? { score } : {}),
        ...(typeof label === 'string' ? { label } : {}),
        ...(typeof explanation === 'string' ? { explanation } : {}),
        ...(typeof error === 'string' ? { error } : {}),
      });
    }
    const toolName = attributes[GenAI.TOOL_NAME];
    if (attributes[GenAI.OPERATION_NAME] === 'execute_tool' && typeof toolName === 'string') {
      const args = parseArguments(attributes[GenAI.TOOL_CALL_ARGUMENTS]);
      trace.toolCalls.push({ name: toolName, ...(args ? { arguments: args } : {}) });
    }
    for (const [attribute, outcome] of [[App.ESCALATED, 'escalated'], [App.BOOKING_MADE, 'booking_made'], [App.TICKET_CREATED, 'ticket_created']] as const) {
      if (attributes[attribute] === true) trace.outcomes.add(outcome);
    }
    const model = attributes[GenAI.RESPONSE_MODEL] ?? attributes[GenAI.REQUEST_MODEL];
    if (typeof model === 'string') trace.models.add(model);
    const input = attributes[GenAI.USAGE_INPUT_TOKENS];
    const output = attributes[GenAI.USAGE_OUTPUT_TOKENS];
    if (typeof input === 'number') trace.inputTokens += input;
    if (typeof output === 'number') trace.outputTokens += output;
    const version = attributes[GenAI.AGENT_VERSION];
    if (typeof version === 'string') trace.agentVersion = version;
  }

  /** Takes (and forgets) everything collected for a conversation, merged over its traces. */
  take(conversationId: string): RunTrace {
    const merged = emptyTrace();
    for (const [traceId, owner] of this.#conversationOfTrace) {
      if (owner !== conversationId) continue;
      const trace = this.#byTrace.get(traceId);
      this.#byTrace.delete(traceId);
      this.#conversationOfTrace.delete(traceId);
      if (!trace) continue;
      merged.checks.push(...trace.checks);
      merged.toolCalls.push(...trace.toolCalls);
      for (const outcome of trace.outcomes) merged.outcomes.add(outcome);
      for (const model of trace.models) merged.models.add(model);
      merged.inputTokens += trace.inputTokens;
      merged.outputTokens += trace.outputTokens;
      if (trace.agentVersion) merged.agentVersion = trace.agentVersion;
    }
    return merged;
  }

  async forceFlush(): Promise<void> {
    await this.#next?.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.#next?.shutdown();
  }
}
