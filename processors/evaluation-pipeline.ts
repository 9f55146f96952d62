import type { Attributes as ApiAttributes, HrTime } from '@opentelemetry/api';
import { builtinChecks, runChecks } from '../src/checks/index.ts';
import type { Check } from '../src/checks/index.ts';
import { conversationIdOf, traceConversationKey } from '../src/model/conversation-key.ts';
import { DEFAULT_MAX_ATTRIBUTE_CHARS, DEFAULT_MAX_ITEMS, GenAI, groundingSourcesOf, normalizeSpan, replyOf, resolveConversationKey } from '../src/model/index.ts';
import type { Attributes, EvaluationResult, NormalizeOptions, SpanRecord } from '../src/model/index.ts';
import { contentProblemAttributes, SpanEventSink } from '../src/results/index.ts';
import type { EvaluationTarget, MutableSpanTarget, ResultSink } from '../src/results/index.ts';
import { RecencyMap } from '../src/model/recency-map.ts';
import { ContentJoin, spanKey } from './content-join.ts';
import type { ContentJoinLimits, ContentJoinStats, SpanContentRecord } from './content-join.ts';
import { ConversationMemory } from './conversation-memory.ts';
import type { OutputMasking } from './output-masking.ts';
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
  /** Bounds of the content records (log records) waiting for their span. */
  readonly content?: Partial<ContentJoinLimits>;
  /**
   * Where the results of content that arrived after its span was evaluated go, besides `sinks`:
   * the span has been passed on, so no span event can carry them (log-based events, typically).
   */
  readonly lateSinks?: readonly ResultSink[];
  /** Results as `gen_ai.evaluation.result` span events on the evaluated span (`events.spans`); default true. */
  readonly spanEvents?: boolean;
  /** A span with a failed evaluation gets status ERROR (`events.failedSpanStatus`); default false. */
  readonly failedSpanStatus?: boolean;
  /**
   * When late content is evaluated: `timer` (default) on the next turn of the event loop, so the
   * records of one export come together; `manual` when the front door calls `flushLateContent`
   * itself (batch mode, whose clock is the data's).
   */
  readonly lateContent?: 'timer' | 'manual';
  /**
   * The masking boundary for what is written (results, their quotes, conversation ids carrying
   * personal data): before span events, log events and every sink. From the config's `privacy`
   * section by default (pipelineOptionsFromConfig); absent, results are written as the checks made them.
   */
  readonly masking?: OutputMasking;
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
  /** Content records (log records, DESIGN.md "Two signals") joined to their spans, waiting, dropped. */
  readonly content: ContentJoinStats & {
    /** Records that came after their span was evaluated (counted in `recordsReceived` too). */
    readonly lateRecords: number;
    /** Spans evaluated again when their content came after them (results as log-based events). */
    readonly lateSpansEvaluated: number;
    /** Content-less GenAI spans remembered in case their content comes late. */
    readonly spansAwaitingContent: number;
  };
}

const NO_RESULTS: readonly EvaluationResult[] = Object.freeze([]);

/** Content-less GenAI spans remembered for late content; the oldest are forgotten beyond it. */
const MAX_AWAITING_SPANS = 10_000;

/** A content-less span kept for late content: what evaluating it again reads, not the whole span. */
interface AwaitingSpan {
  readonly span: SpanRecord;
  readonly seenMs: number;
}

/** Where the late evaluation of a span writes span events: nowhere, the span has been passed on. */
const DETACHED: MutableSpanTarget = { addEvent() {} };

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
  readonly #join: ContentJoin;
  readonly #contentTtlMs: number;
  readonly #awaiting = new RecencyMap<string, AwaitingSpan>();
  readonly #late = new Map<string, { span: SpanRecord; records: SpanContentRecord['record'][] }>();
  readonly #lateSinks: readonly ResultSink[];
  readonly #spanEvents: boolean;
  readonly #failedSpanStatus: boolean;
  readonly #masking: OutputMasking | undefined;
  readonly #lateOnTimer: boolean;
  #lateTimer: NodeJS.Immediate | undefined;
  #lateSpansEvaluated = 0;
  #lateRecords = 0;

  constructor(options: EvaluationPipelineOptions = {}) {
    this.#checks = options.checks ?? builtinChecks;
    this.#memory = new ConversationMemory(options.conversations);
    this.#normalize = options.normalize;
    this.#now = options.now ?? Date.now;
    this.#sinks = options.sinks ?? [];
    this.#join = new ContentJoin(options.content);
    this.#contentTtlMs = options.content?.ttlMs ?? 5 * 60_000;
    this.#lateSinks = options.lateSinks ?? [];
    this.#spanEvents = options.spanEvents ?? true;
    this.#failedSpanStatus = options.failedSpanStatus ?? false;
    this.#masking = options.masking;
    this.#lateOnTimer = (options.lateContent ?? 'timer') === 'timer';
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
   * checked once per turn, and the results are added to `target` as events,
   * stamped at `eventTime` when given (the SDK span's end, so they lie within it).
   */
  onEnding(span: SpanRecord, target: MutableSpanTarget, eventTime?: HrTime): readonly EvaluationResult[] {
    this.#spansSeen++;
    try {
      return this.#evaluate(span, target, undefined, false, eventTime);
    } catch (error) {
      reportError(`tracejudge evaluation of span ${span?.spanId}`, error, ++this.#errors);
      return NO_RESULTS;
    }
  }

  /**
   * Takes GenAI content records (log records: `gen_ai.user.message`, `gen_ai.choice`,
   * `gen_ai.client.inference.operation.details`, …) for the spans they describe. Records that
   * come before their span wait for it (bounded); records for a span already evaluated without
   * content have it evaluated again with them, its results going to the sinks and `lateSinks`.
   * Never throws.
   *
   * `atRecordTimes`: the records are read ahead of spans that come later in the data's time (a
   * logs file read before the traces file): nothing expires now, and each record waits from its
   * own timestamp rather than from the clock, so the age bound means "this long after the record".
   */
  addContent(entries: readonly SpanContentRecord[], options?: { readonly atRecordTimes?: boolean }): void {
    try {
      const now = this.#now();
      const atRecordTimes = options?.atRecordTimes === true;
      if (!atRecordTimes) this.#join.expire(now);
      for (const entry of entries) {
        const key = entry.spanId ? spanKey(entry.traceId, entry.spanId) : undefined;
        const awaiting = key === undefined ? undefined : this.#awaiting.get(key);
        if (awaiting === undefined) {
          const recordTime = entry.record.timeUnixNano;
          this.#join.add(entry, atRecordTimes && recordTime !== undefined ? Number(recordTime / 1_000_000n) : now);
          continue;
        }
        this.#lateRecords++;
        const late = this.#late.get(key!);
        if (late === undefined) this.#late.set(key!, { span: awaiting.span, records: [entry.record] });
        else late.records.push(entry.record);
      }
      if (this.#late.size > 0 && this.#lateOnTimer && this.#lateTimer === undefined) {
        this.#lateTimer = setImmediate(() => {
          this.#lateTimer = undefined;
          this.flushLateContent();
        });
        this.#lateTimer.unref();
      }
    } catch (error) {
      reportError('tracejudge content records', error, ++this.#errors);
    }
  }

  /** Whether the model's answer for this span has arrived as records (a front door waiting for content asks). */
  hasContentOutput(traceId: string, spanId: string): boolean {
    return this.#join.hasOutput(traceId, spanId);
  }

  /** Evaluates the spans whose content came late; returns their results. */
  flushLateContent(): readonly EvaluationResult[] {
    if (this.#late.size === 0) return NO_RESULTS;
    const due = [...this.#late.values()];
    this.#late.clear();
    const all: EvaluationResult[] = [];
    for (const { span, records } of due) {
      try {
        this.#lateSpansEvaluated++;
        const results = this.#evaluate(span, DETACHED, records, true);
        for (const result of results) all.push(result);
      } catch (error) {
        reportError(`tracejudge late evaluation of span ${span.spanId}`, error, ++this.#errors);
      }
    }
    return all;
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
      content: this.#contentStats(),
    };
  }

  #evaluate(
    span: SpanRecord,
    target: MutableSpanTarget,
    lateRecords?: readonly SpanContentRecord['record'][],
    late = false,
    eventTime?: HrTime,
  ): readonly EvaluationResult[] {
    const now = this.#now();
    const memory = this.#memory;
    memory.expire(now);
    const records = late ? lateRecords : this.#joinedRecords(span);
    const view = normalizeSpan(span, this.#normalize, records);
    if (!late) rememberEndingView(target, view, this.#normalize);
    if (view.conversationId !== undefined) this.#bind(span.traceId, view.conversationId, now);
    const problems = view.problems;
    if (problems.length > 0) {
      this.#spansWithProblems++;
      new SpanEventSink(target, undefined, eventTime).writeProblems(problems);
    }

    const sources = groundingSourcesOf(view);
    const turn = replyOf(view, '');
    this.#noteAwaitingContent(span, view, turn !== undefined, late, now);
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
    const checked = runChecks(this.#checks, { ...turn, conversationId: key }, conversation);
    this.#repliesChecked++;
    this.#count(checked);
    // From here on the results are written: masked first (explanations quote the reply).
    const masking = this.#masking;
    const results = masking === undefined ? checked : masking.results(checked, turn.replyText);
    const writtenKey = masking === undefined ? key : masking.conversationId(key);

    const extras = problems.length > 0 ? contentProblemAttributes(problems) : undefined;
    const { traceId, spanId } = span;
    const spanEndedAt = Number(span.endTimeUnixNano / 1_000_000n);
    const cohort = masking === undefined ? view.cohort : masking.cohort(view.cohort);
    const evaluated: EvaluationTarget =
      view.responseId === undefined
        ? { conversationId: writtenKey, traceId, spanId, spanEndedAt, cohort }
        : { conversationId: writtenKey, traceId, spanId, responseId: view.responseId, spanEndedAt, cohort };
    if (this.#spanEvents && !late) new SpanEventSink(target, extras, eventTime, { failedSpanStatus: this.#failedSpanStatus }).write(results, evaluated);
    if (this.#sinks.length > 0 || late) {
      // Text-keeping sinks (the store, review) get what was said: as this span shows it, with
      // every user turn of the conversation so far (taken now: the memory moves on).
      const forSinks = withConversationSnapshot(evaluated, view, turn.replyText, masking, conversation.userMessages());
      for (const sink of this.#sinks) this.#writeToSink(sink, results, forSinks);
      if (late) for (const sink of this.#lateSinks) this.#writeToSink(sink, results, forSinks);
    }
    return results;
  }

  #contentStats(): PipelineStats['content'] {
    const join = this.#join.stats();
    return {
      ...join,
      recordsReceived: join.recordsReceived + this.#lateRecords,
      lateRecords: this.#lateRecords,
      lateSpansEvaluated: this.#lateSpansEvaluated,
      spansAwaitingContent: this.#awaiting.size,
    };
  }

  /** Records that came before this span, joined by span id (or by the reply's response id). */
  #joinedRecords(span: SpanRecord): SpanContentRecord['record'][] | undefined {
    if (this.#join.size === 0) return undefined;
    const responseId = span.attributes[GenAI.RESPONSE_ID];
    return this.#join.take(span.traceId, span.spanId, typeof responseId === 'string' ? responseId : undefined);
  }

  /**
   * A GenAI chat span that ended without its reply (content capture off, or content that travels as
   * log records not here yet) is remembered, bounded, so late content can still be checked.
   */
  #noteAwaitingContent(span: SpanRecord, view: { operation: string; outputMessages: readonly unknown[] }, replied: boolean, late: boolean, now: number): void {
    // Most spans return here, before a key is built (this runs on every GenAI span).
    if (replied) {
      if (late) this.#awaiting.delete(spanKey(span.traceId, span.spanId));
      return;
    }
    if (late || view.operation !== 'chat' || view.outputMessages.length > 0) return;
    this.#awaiting.set(spanKey(span.traceId, span.spanId), { span: detachedCopy(span), seenMs: now });
    while (this.#awaiting.size > MAX_AWAITING_SPANS) {
      const oldest = this.#awaiting.oldestKey();
      if (oldest === undefined) break;
      this.#awaiting.delete(oldest);
    }
    const cutoff = now - this.#contentTtlMs;
    for (const [oldKey, awaiting] of this.#awaiting.oldestFirst()) {
      if (awaiting.seenMs > cutoff) break;
      this.#awaiting.delete(oldKey);
    }
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

/**
 * What a late evaluation reads of a span, copied: its ids, name, kind, times, attributes (a
 * content-less span's are small) and status — not its events, resource or the SDK object behind it.
 */
function detachedCopy(span: SpanRecord): SpanRecord {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId !== undefined && { parentSpanId: span.parentSpanId }),
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    attributes: { ...span.attributes },
    resourceAttributes: {},
    status: span.status,
    events: [],
  };
}
