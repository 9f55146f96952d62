import { context, diag, trace } from '@opentelemetry/api';
import { spanTime } from './clock.ts';
import type { Context, Span, Tracer } from '@opentelemetry/api';
import { GenAI } from '../src/model/attributes.ts';
import { appAttributes, describeType, warn } from './app-attributes.ts';
import type { AppAttributeValue } from './app-attributes.ts';
import { activeConversationOf, withActiveConversation } from './conversation-context.ts';
import { recordError } from './errors.ts';
import { textPart, toJsonAttribute } from './genai-json.ts';
import type { GenAIOutputMessage } from './genai-json.ts';
import { outcomeRecorder } from './outcome.ts';
import type { OutcomeRecorder, OutcomeSignal } from './outcome.ts';
import { HELPERS_TRACER_NAME } from './tracer-names.ts';
import { runTool } from './tool.ts';
import type { ToolCallOptions } from './tool.ts';

/** One user turn as the app sees it: the handle passed to `conversation.turn`'s callback. */
export interface Turn {
  readonly conversationId: string | undefined;
  /** The `invoke_agent` span, for anything the helpers do not cover. */
  readonly span: Span;
  /** Outcome signals recorded on this turn's span (and the conversation span, if any). */
  readonly outcome: OutcomeRecorder;
  /** Runs a tool inside an `execute_tool` span, child of this turn. */
  tool<A, R>(name: string, args: A, fn: (args: A) => R | Promise<R>, options?: ToolCallOptions): Promise<Awaited<R>>;
  /** The agent's answer (or one utterance of it); recorded as `gen_ai.output.messages`. */
  reply(text: string, options?: { readonly finishReason?: string }): void;
  setAttributes(attributes: Readonly<Record<string, AppAttributeValue>>): void;
}

/** What a turn needs from its conversation; kept narrow so the two files do not import each other. */
export interface TurnHost {
  readonly conversationId: string | undefined;
  readonly captureContent: boolean;
  readonly tracer: Tracer;
  deliver(signal: OutcomeSignal, from: TurnImpl): void;
  turnClosed(turn: TurnImpl): void;
}

type Settled = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: unknown };

export class TurnImpl implements Turn {
  readonly span: Span;
  /** The turn span active, plus the conversation marker that later spans read their id from. */
  readonly context: Context;
  /** Where the turn started: a later turn of the same conversation starts here, never inside this one. */
  readonly parentContext: Context;
  readonly outcome: OutcomeRecorder;
  readonly #host: TurnHost;
  readonly #replies: { text: string; finishReason?: string }[] = [];
  #open = true;

  constructor(host: TurnHost, span: Span, parentContext: Context) {
    this.#host = host;
    this.span = span;
    this.parentContext = parentContext;
    this.context = withActiveConversation(trace.setSpan(parentContext, span), {
      conversationId: host.conversationId,
      captureContent: host.captureContent,
      owner: host,
      turn: this,
    });
    this.outcome = outcomeRecorder((signal) => host.deliver(signal, this), 'turn.outcome');
  }

  get conversationId(): string | undefined {
    return this.#host.conversationId;
  }

  get open(): boolean {
    return this.#open;
  }

  tool<A, R>(name: string, args: A, fn: (args: A) => R | Promise<R>, options: ToolCallOptions = {}): Promise<Awaited<R>> {
    const active = context.active();
    // Inside this turn (or a tool of it) nest under what is active; from elsewhere, under the turn.
    const parent = activeConversationOf(active)?.turn === this ? active : this.context;
    const tracer = options.tracerProvider?.getTracer(HELPERS_TRACER_NAME) ?? this.#host.tracer;
    return runTool(tracer, parent, name, args, fn, options);
  }

  reply(text: string, options: { readonly finishReason?: string } = {}): void {
    if (!this.#open) {
      warn('turn.reply: the turn has already ended; ignored');
      return;
    }
    if (typeof text !== 'string') {
      warn(`turn.reply: "text" must be a string, got ${describeType(text)}; ignored`);
      return;
    }
    const finishReason = typeof options?.finishReason === 'string' ? options.finishReason : undefined;
    this.#replies.push({ text, ...(finishReason !== undefined && { finishReason }) });
  }

  setAttributes(attributes: Readonly<Record<string, AppAttributeValue>>): void {
    if (!this.#open) {
      warn('turn.setAttributes: the turn has already ended; ignored');
      return;
    }
    this.span.setAttributes(appAttributes(attributes, 'turn.setAttributes'));
  }

  /**
   * Ends the span. A callback that returns a string without calling `reply()`
   * has returned its reply: it is recorded as the output message.
   */
  finish(settled: Settled): void {
    if (!this.#open) return;
    this.#open = false;
    try {
      let replies = this.#replies;
      if (replies.length === 0 && settled.ok && typeof settled.result === 'string') replies = [{ text: settled.result }];
      if (this.#host.captureContent && replies.length > 0) {
        const output: GenAIOutputMessage = {
          role: 'assistant',
          parts: replies.map((reply) => textPart(reply.text)),
          finish_reason: settled.ok ? (replies[replies.length - 1]?.finishReason ?? 'stop') : 'error',
        };
        this.span.setAttribute(GenAI.OUTPUT_MESSAGES, toJsonAttribute([output]));
      }
      if (!settled.ok) recordError(this.span, settled.error);
    } catch (error) {
      diag.error('tracejudge: failed to record the turn outcome', error);
    } finally {
      this.span.end(spanTime());
      this.#host.turnClosed(this);
    }
  }
}
