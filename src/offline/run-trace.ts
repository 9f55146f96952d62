import { createContextKey } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { App, GenAI } from '../model/attributes.ts';
import { collectTranscript, emptySpanTranscript } from './judging/span-transcript.ts';
import type { SpanTranscript } from './judging/span-transcript.ts';

/** What the runner learns from a run's spans: evaluation results, tool calls, outcome, usage. */
export interface RunTrace {
  readonly checks: { name: string; score?: number; label?: string; explanation?: string; error?: string }[];
  readonly toolCalls: { name: string; arguments?: Record<string, unknown> }[];
  readonly outcomes: Set<string>;
  readonly models: Set<string>;
  inputTokens: number;
  outputTokens: number;
  agentVersion?: string;
  /** The conversation as a judge reads it; collected only when a judge is configured. */
  transcript?: SpanTranscript;
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
 * Set by the runner on the context it calls the agent in: every span the agent
 * starts inside that call (with or without `context.startConversation`)
 * belongs to the run, even in traces that never carry a conversation id.
 */
export const RUN_CONTEXT_KEY = createContextKey('tracejudge.offline.run');

/**
 * Downstream of the EvaluationSpanProcessor: reads each ended span (with the
 * evaluation events the inline checks put on it) into the RunTrace of its
 * run, then forwards it unchanged (to the OTLP exporter, when set).
 *
 * A trace belongs to a run when one of its spans started in the run's context
 * (RUN_CONTEXT_KEY) or names the run's conversation id. Only runs between
 * `begin` and `take` collect: spans of no running run (an agent's background
 * work, a span ended after its run finished) are forwarded and not kept, so
 * what is held is bounded by the runs in flight.
 */
export class RunTraceCollector implements SpanProcessor {
  readonly #next: SpanProcessor | undefined;
  readonly #runs = new Map<string, { trace: RunTrace; traceIds: Set<string> }>();
  readonly #runOfTrace = new Map<string, string>();
  readonly #transcripts: boolean;

  /** `transcripts`: also keep what a judge reads (messages, tool results); off unless a judge is configured, it costs per span. */
  constructor(next?: SpanProcessor, options: { readonly transcripts?: boolean } = {}) {
    this.#next = next;
    this.#transcripts = options.transcripts === true;
  }

  /** Starts collecting for a run (its conversation id). */
  begin(runId: string): void {
    if (this.#runs.has(runId)) return;
    const trace = emptyTrace();
    if (this.#transcripts) trace.transcript = emptySpanTranscript();
    this.#runs.set(runId, { trace, traceIds: new Set() });
  }

  /** Stops collecting for a run and hands over what it collected; nothing of it is kept. */
  take(runId: string): RunTrace {
    const run = this.#runs.get(runId);
    if (!run) return emptyTrace();
    this.#runs.delete(runId);
    for (const traceId of run.traceIds) this.#runOfTrace.delete(traceId);
    return run.trace;
  }

  /** What is held: runs in flight and the traces mapped to them (0 and 0 between experiments). */
  retained(): { readonly runs: number; readonly traces: number } {
    return { runs: this.#runs.size, traces: this.#runOfTrace.size };
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      const fromContext = parentContext.getValue(RUN_CONTEXT_KEY);
      this.#attach(span.spanContext().traceId, typeof fromContext === 'string' ? fromContext : span.attributes[GenAI.CONVERSATION_ID]);
    } finally {
      this.#next?.onStart(span, parentContext);
    }
  }

  onEnding(span: Span): void {
    this.#next?.onEnding?.(span);
  }

  onEnd(span: ReadableSpan): void {
    try {
      const traceId = span.spanContext().traceId;
      this.#attach(traceId, span.attributes[GenAI.CONVERSATION_ID]);
      const runId = this.#runOfTrace.get(traceId);
      const run = runId === undefined ? undefined : this.#runs.get(runId);
      if (run) {
        collectSpan(run.trace, span);
        if (run.trace.transcript) collectTranscript(run.trace.transcript, span);
      }
    } finally {
      this.#next?.onEnd(span);
    }
  }

  async forceFlush(): Promise<void> {
    await this.#next?.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.#next?.shutdown();
  }

  #attach(traceId: string, runId: unknown): void {
    if (typeof runId !== 'string' || this.#runOfTrace.has(traceId)) return;
    const run = this.#runs.get(runId);
    if (!run) return;
    run.traceIds.add(traceId);
    this.#runOfTrace.set(traceId, runId);
  }
}

function collectSpan(trace: RunTrace, span: ReadableSpan): void {
  const attributes = span.attributes;
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
  for (const [attribute, outcome] of OUTCOME_ATTRIBUTES) {
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

const OUTCOME_ATTRIBUTES = [[App.ESCALATED, 'escalated'], [App.BOOKING_MADE, 'booking_made'], [App.TICKET_CREATED, 'ticket_created']] as const;
