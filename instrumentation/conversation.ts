import { context, SpanKind, trace } from '@opentelemetry/api';
import { spanTime } from './clock.ts';
import type { Attributes, Context, Span, Tracer, TracerProvider } from '@opentelemetry/api';
import { GenAI } from '../src/model/attributes.ts';
import { appAttributes, describeType, warn } from './app-attributes.ts';
import type { AppAttributeValue } from './app-attributes.ts';
import { activeConversationOf } from './conversation-context.ts';
import { resolveConversationOptions } from './conversation-options.ts';
import type { ConversationOptions, ResolvedConversation, TraceLayout } from './conversation-options.ts';
import { InstrumentationUsageError } from './errors.ts';
import { toJsonAttribute, userTextMessage } from './genai-json.ts';
import { applyOutcome, conversationEndedSignal, outcomeRecorder } from './outcome.ts';
import type { OutcomeAttributes, OutcomeRecorder, OutcomeSignal } from './outcome.ts';
import { HELPERS_TRACER_NAME } from './tracer-names.ts';
import { TurnImpl } from './turn.ts';
import type { Turn, TurnHost } from './turn.ts';

export interface TurnInput {
  /** What the user said or typed: `gen_ai.input.messages` of the turn. */
  readonly text: string;
  readonly attributes?: Readonly<Record<string, AppAttributeValue>>;
}

export interface Conversation {
  readonly id: string | undefined;
  readonly scope: TraceLayout;
  readonly ended: boolean;
  /**
   * Outcome signals: land on the turn that is running (the one whose callback is
   * active, else the latest open one) and on the conversation span if any; with no
   * turn open, on a short `invoke_agent` marker span of the conversation.
   */
  readonly outcome: OutcomeRecorder;
  /**
   * Runs one turn inside an `invoke_agent {agent}` span that is the active span
   * while `fn` runs. Resolves or rejects exactly as `fn` does.
   */
  turn<R>(input: string | TurnInput, fn: (turn: Turn) => R | Promise<R>): Promise<Awaited<R>>;
  /**
   * The conversation is over: `app.conversation_ended=true` on the open turn (else
   * on a marker span), and the conversation span, if any, ends once no turn is open.
   */
  end(attributes?: OutcomeAttributes): void;
}

/**
 * Starts (or, for stateless chat, re-creates from its id alone) a conversation.
 * Never throws on malformed options: they are dropped with a diag warning.
 */
export function startConversation(options: ConversationOptions): Conversation {
  return new ConversationImpl(options);
}

class ConversationImpl implements Conversation, TurnHost {
  readonly tracer: Tracer;
  readonly outcome: OutcomeRecorder;
  readonly #settings: ResolvedConversation;
  readonly #conversationSpan: Span | undefined;
  #conversationSpanOpen = false;
  readonly #openTurns: TurnImpl[] = [];
  #ended = false;

  constructor(options: ConversationOptions) {
    this.#settings = resolveConversationOptions(options);
    this.tracer = tracerProviderOf(options).getTracer(HELPERS_TRACER_NAME);
    this.outcome = outcomeRecorder((signal) => this.deliver(signal), 'conversation.outcome');
    if (this.#settings.scope === 'single-trace') {
      const name = this.#settings.agentName ? `conversation ${this.#settings.agentName}` : 'conversation';
      const parent = isContext(options?.parentContext) ? options.parentContext : context.active();
      // No gen_ai.operation.name: the conversation is not a turn, and readers count turns by operation.
      this.#conversationSpan = this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes: this.#settings.baseAttributes, startTime: spanTime() }, parent);
      this.#conversationSpanOpen = true;
    }
  }

  get id(): string | undefined {
    return this.#settings.id;
  }
  get conversationId(): string | undefined {
    return this.#settings.id;
  }
  get scope(): TraceLayout {
    return this.#settings.scope;
  }
  get captureContent(): boolean {
    return this.#settings.captureContent;
  }
  get ended(): boolean {
    return this.#ended;
  }

  async turn<R>(input: string | TurnInput, fn: (turn: Turn) => R | Promise<R>): Promise<Awaited<R>> {
    if (typeof fn !== 'function') throw new InstrumentationUsageError('conversation.turn', 'fn', 'a function', fn);
    if (this.#ended) warn(`conversation ${this.id ?? '(no id)'}: turn() after end(); traced anyway`);
    const turn = this.#startTurn(input);
    let result: Awaited<R>;
    try {
      result = await context.with(turn.context, fn, undefined, turn);
    } catch (error) {
      turn.finish({ ok: false, error });
      throw error;
    }
    turn.finish({ ok: true, result });
    return result;
  }

  end(attributes?: OutcomeAttributes): void {
    if (this.#ended) return;
    this.#ended = true;
    this.deliver(conversationEndedSignal(attributes, 'conversation.end'));
    if (this.#openTurns.length === 0) this.#endConversationSpan();
  }

  deliver(signal: OutcomeSignal, from?: TurnImpl): void {
    // A handle of a turn that has ended does not redirect to another turn.
    const target = from ? (from.open ? from : undefined) : this.#currentTurn();
    if (target) applyOutcome(target.span, signal);
    else this.#markerSpan(signal);
    if (this.#conversationSpan && this.#conversationSpanOpen) applyOutcome(this.#conversationSpan, signal);
  }

  turnClosed(turn: TurnImpl): void {
    const index = this.#openTurns.indexOf(turn);
    if (index >= 0) this.#openTurns.splice(index, 1);
    if (this.#ended && this.#openTurns.length === 0) this.#endConversationSpan();
  }

  #startTurn(input: string | TurnInput): TurnImpl {
    const { text, attributes } = parseTurnInput(input);
    const parent = this.#parentForNewSpan();
    const spanAttributes: Attributes = { ...this.#settings.baseAttributes, ...attributes, [GenAI.OPERATION_NAME]: 'invoke_agent' };
    if (this.#settings.captureContent) {
      if (this.#settings.systemInstructionsJson) spanAttributes[GenAI.SYSTEM_INSTRUCTIONS] = this.#settings.systemInstructionsJson;
      if (text !== undefined) spanAttributes[GenAI.INPUT_MESSAGES] = toJsonAttribute([userTextMessage(text)]);
    }
    const span = this.tracer.startSpan(this.#turnSpanName(), { kind: SpanKind.INTERNAL, attributes: spanAttributes, startTime: spanTime() }, parent);
    const turn = new TurnImpl(this, span, parent);
    this.#openTurns.push(turn);
    return turn;
  }

  /** Turns of one conversation are siblings: never nested in each other. */
  #parentForNewSpan(): Context {
    const active = context.active();
    if (this.#conversationSpan) return trace.setSpan(active, this.#conversationSpan);
    const current = activeConversationOf(active);
    if (current?.owner === this && current.turn instanceof TurnImpl) return current.turn.parentContext;
    return active;
  }

  #currentTurn(): TurnImpl | undefined {
    const current = activeConversationOf(context.active());
    if (current?.owner === this && current.turn instanceof TurnImpl && current.turn.open) return current.turn;
    return this.#openTurns[this.#openTurns.length - 1];
  }

  /** A signal with no turn to land on gets its own instant `invoke_agent` span, so readers of turns see it. */
  #markerSpan(signal: OutcomeSignal): void {
    const attributes: Attributes = { ...this.#settings.baseAttributes, [GenAI.OPERATION_NAME]: 'invoke_agent' };
    const at = spanTime();
    const span = this.tracer.startSpan(this.#turnSpanName(), { kind: SpanKind.INTERNAL, attributes, startTime: at }, this.#parentForNewSpan());
    // An instant span: its event at its one instant.
    applyOutcome(span, signal, at);
    span.end(at);
  }

  #endConversationSpan(): void {
    if (!this.#conversationSpan || !this.#conversationSpanOpen) return;
    this.#conversationSpanOpen = false;
    this.#conversationSpan.end(spanTime());
  }

  #turnSpanName(): string {
    return this.#settings.agentName ? `invoke_agent ${this.#settings.agentName}` : 'invoke_agent';
  }
}

function parseTurnInput(input: unknown): { text: string | undefined; attributes: Attributes } {
  if (typeof input === 'string') return { text: input, attributes: {} };
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const { text, attributes } = input as Partial<TurnInput>;
    if (typeof text !== 'string') warn(`conversation.turn: "input.text" must be a string, got ${describeType(text)}; no gen_ai.input.messages recorded`);
    return { text: typeof text === 'string' ? text : undefined, attributes: appAttributes(attributes, 'conversation.turn input.attributes') };
  }
  warn(`conversation.turn: "input" must be a string or { text }, got ${describeType(input)}; no gen_ai.input.messages recorded`);
  return { text: undefined, attributes: {} };
}

function tracerProviderOf(options: ConversationOptions | undefined): TracerProvider {
  const provider = options?.tracerProvider;
  if (provider === undefined) return trace.getTracerProvider();
  if (typeof provider === 'object' && provider !== null && typeof provider.getTracer === 'function') return provider;
  warn(`startConversation "tracerProvider": expected a TracerProvider, got ${describeType(provider)}; using the global one`);
  return trace.getTracerProvider();
}

function isContext(value: unknown): value is Context {
  return typeof value === 'object' && value !== null && typeof (value as Context).getValue === 'function';
}
