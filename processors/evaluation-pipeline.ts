import type { Attributes as ApiAttributes } from '@opentelemetry/api';
import { builtinChecks, runChecks } from '../src/checks/index.ts';
import type { Check } from '../src/checks/index.ts';
import { conversationIdOf, traceConversationKey } from '../src/model/conversation-key.ts';
import { DEFAULT_MAX_ATTRIBUTE_CHARS, DEFAULT_MAX_ITEMS, groundingSourcesOf, normalizeSpan, replyOf, resolveConversationKey } from '../src/model/index.ts';
import type { Attributes, EvaluationResult, NormalizeOptions, SpanRecord } from '../src/model/index.ts';
import { contentProblemAttributes, SpanEventSink } from '../src/results/index.ts';
import type { EvaluationTarget, MutableSpanTarget, ResultSink } from '../src/results/index.ts';
import { ConversationMemory } from './conversation-memory.ts';
import { rememberEndingView } from './ending-view.ts';
import { withConversationSnapshot } from './view-snapshot.ts';
import type { ConversationLimits } from './conversation-memory.ts';
import { replyFingerprint } from './reply-fingerprint.ts';
import { reportError } from './report-error.ts';

export interface EvaluationPipelineOptions {
  /** Deterministic checks run on every reply; the built-in ones by default. */
  readonly checks?: readonly Check[];
  /** Bounds of the per-conversation memory. */
  readonly conversations?: Partial<ConversationLimits>;
  /** Limits of span content parsing (per attribute). */
  readonly normalize?: NormalizeOptions;
  /** Milliseconds clock for idle expiry; `Date.now` by default. */
  readonly now?: () => number;
  /**
   * Further destinations of every batch of check results, after the span events
   * (review queue, store, a demo's printout). A sink that throws or rejects is
   * counted in `errors`; the span flows on.
   */
  readonly sinks?: readonly ResultSink[];
}

/** What a span looks like when it starts: enough to learn its trace's conversation. */
export interface StartedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly attributes: Attributes | ApiAttributes;
}

export interface PipelineStats {
  readonly spansSeen: number;
  readonly repliesChecked: number;
  /** Replies skipped because the same reply was already checked in the same trace. */
  readonly repliesDeduplicated: number;
  /** Results labelled `fail`, by check name. */
  readonly checksFailed: Readonly<Record<string, number>>;
  /** Results with `error.type` (the check itself failed), by check name. */
  readonly checkErrors: Readonly<Record<string, number>>;
  /** Spans with content that could not be fully read (a `tracejudge.content.problem` event says why). */
  readonly spansWithProblems: number;
  readonly conversationsOpen: number;
  /** Evicted because `maxOpen` or the total source size was reached. */
  readonly conversationsEvicted: number;
  /** Forgotten after `idleTimeout` without a span. */
  readonly conversationsExpired: number;
  readonly sourcesDropped: number;
  readonly sourcesTruncated: number;
  /** Exceptions caught in the pipeline (each logged through `diag`; the span flowed on). */
  readonly errors: number;
}

const NO_RESULTS: readonly EvaluationResult[] = Object.freeze([]);

/**
 * The inline evaluation core shared by every front door (SDK span processor,
 * collector, batch `tracejudge check`): normalize a span, remember what it
 * grounds, check the reply it carries, write the results as events on it.
 * Never throws: a failure is counted, logged through `diag`, and the span is
 * left as it was.
 *
 * Front doors that receive spans in batches (OTLP) call `noteStart` for every
 * span of a batch before `onEnding`, so children met before their parent still
 * resolve to the parent's conversation.
 */
export class EvaluationPipeline {
  readonly #checks: readonly Check[];
  readonly #memory: ConversationMemory;
  readonly #normalize: NormalizeOptions | undefined;
  readonly #now: () => number;
  readonly #sinks: readonly ResultSink[];
  readonly #startContext: { problems: string[]; maxChars: number; maxItems: number };
  readonly #checksFailed: Record<string, number> = Object.create(null);
  readonly #checkErrors: Record<string, number> = Object.create(null);
  #spansSeen = 0;
  #repliesChecked = 0;
  #repliesDeduplicated = 0;
  #spansWithProblems = 0;
  #errors = 0;

  constructor(options: EvaluationPipelineOptions = {}) {
    this.#checks = options.checks ?? builtinChecks;
    this.#memory = new ConversationMemory(options.conversations);
    this.#normalize = options.normalize;
    this.#now = options.now ?? Date.now;
    this.#sinks = options.sinks ?? [];
    this.#startContext = {
      problems: [],
      maxChars: options.normalize?.maxAttributeChars ?? DEFAULT_MAX_ATTRIBUTE_CHARS,
      maxItems: options.normalize?.maxItems ?? DEFAULT_MAX_ITEMS,
    };
  }

  /** Learns trace → conversation from the attributes a span carries when it starts. */
  noteStart(span: StartedSpan): void {
    try {
      const context = this.#startContext;
      const conversationId = conversationIdOf(span.attributes as Attributes, context);
      // Problems at start are reported when the span ends, from its final attributes.
      context.problems.length = 0;
      if (conversationId !== undefined) this.#bind(span.traceId, conversationId, this.#now());
    } catch (error) {
      reportError('tracejudge noteStart', error, ++this.#errors);
    }
  }

  /**
   * Evaluates an ending span: its grounding sources are remembered first (a chat
   * span's input tool results ground its own output), then its reply is
   * checked once per turn, and the results are added to `target` as events.
   */
  onEnding(span: SpanRecord, target: MutableSpanTarget): readonly EvaluationResult[] {
    this.#spansSeen++;
    try {
      return this.#evaluate(span, target);
    } catch (error) {
      reportError(`tracejudge evaluation of span ${span?.spanId}`, error, ++this.#errors);
      return NO_RESULTS;
    }
  }

  /**
   * The conversation a trace belongs to, when a span of it named one: for later
   * stages (sampling, judge) that see child spans without the attribute.
   */
  conversationOfTrace(traceId: string): string | undefined {
    return this.#memory.conversationOfTrace(traceId);
  }

  stats(): PipelineStats {
    this.#memory.expire(this.#now());
    const counters = this.#memory.counters;
    return {
      spansSeen: this.#spansSeen,
      repliesChecked: this.#repliesChecked,
      repliesDeduplicated: this.#repliesDeduplicated,
      checksFailed: { ...this.#checksFailed },
      checkErrors: { ...this.#checkErrors },
      spansWithProblems: this.#spansWithProblems,
      conversationsOpen: this.#memory.size,
      conversationsEvicted: counters.conversationsEvicted,
      conversationsExpired: counters.conversationsExpired,
      sourcesDropped: counters.sourcesDropped,
      sourcesTruncated: counters.sourcesTruncated,
      errors: this.#errors,
    };
  }

  #evaluate(span: SpanRecord, target: MutableSpanTarget): readonly EvaluationResult[] {
    const now = this.#now();
    const memory = this.#memory;
    memory.expire(now);
    const view = normalizeSpan(span, this.#normalize);
    rememberEndingView(target, view, this.#normalize);
    if (view.conversationId !== undefined) this.#bind(span.traceId, view.conversationId, now);
    const problems = view.problems;
    if (problems.length > 0) {
      this.#spansWithProblems++;
      new SpanEventSink(target).writeProblems(problems);
    }

    const sources = groundingSourcesOf(view);
    const turn = replyOf(view, '');
    if (sources.length === 0 && turn === undefined) return NO_RESULTS;

    const key = view.conversationId ?? resolveConversationKey(view, memory.conversationOfTrace(span.traceId));
    const conversation = memory.touch(key, now);
    if (sources.length > 0) memory.addSources(conversation, sources);
    if (turn === undefined) return NO_RESULTS;
    if (!conversation.markReplyChecked(replyFingerprint(span.traceId, turn.replyText))) {
      this.#repliesDeduplicated++;
      return NO_RESULTS;
    }

    // The conversation state is the Conversation the checks see: the same object
    // every time, so their grounding index (held weakly per conversation) is reused.
    const results = runChecks(this.#checks, { ...turn, conversationId: key }, conversation);
    this.#repliesChecked++;
    this.#count(results);

    const extras = problems.length > 0 ? contentProblemAttributes(problems) : undefined;
    const { traceId, spanId } = span;
    const evaluated: EvaluationTarget =
      view.responseId === undefined ? { conversationId: key, traceId, spanId } : { conversationId: key, traceId, spanId, responseId: view.responseId };
    new SpanEventSink(target, extras).write(results, evaluated);
    if (this.#sinks.length > 0) {
      // A failed check goes to review: give text-keeping sinks what was said, as this span shows it.
      const forSinks = results.some((result) => result.label === 'fail') ? withConversationSnapshot(evaluated, view, turn.replyText) : evaluated;
      for (const sink of this.#sinks) this.#writeToSink(sink, results, forSinks);
    }
    return results;
  }

  #writeToSink(sink: ResultSink, results: readonly EvaluationResult[], evaluated: EvaluationTarget): void {
    try {
      const written = sink.write(results, evaluated);
      if (written instanceof Promise) written.catch((error: unknown) => reportError('tracejudge result sink', error, ++this.#errors));
    } catch (error) {
      reportError('tracejudge result sink', error, ++this.#errors);
    }
  }

  /** Binds a trace to its conversation and moves what was kept under the trace's own key into it. */
  #bind(traceId: string, conversationId: string, now: number): void {
    const memory = this.#memory;
    if (memory.conversationOfTrace(traceId) === conversationId) return;
    memory.bindTrace(traceId, conversationId);
    memory.merge(traceConversationKey(traceId), conversationId, now);
  }

  #count(results: readonly EvaluationResult[]): void {
    for (const result of results) {
      if (result.error) this.#checkErrors[result.name] = (this.#checkErrors[result.name] ?? 0) + 1;
      else if (result.label === 'fail') this.#checksFailed[result.name] = (this.#checksFailed[result.name] ?? 0) + 1;
    }
  }
}
