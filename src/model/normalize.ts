import { scanAttributes } from './attribute-scan.ts';
import type { AttributeScan } from './attribute-scan.ts';
import { contentAttributesOf, contentRecordsOfEvents } from './content-records.ts';
import type { ContentRecord } from './content-records.ts';
import { conversationIdOf } from './conversation-key.ts';
import { DEFAULT_MAX_ATTRIBUTE_CHARS, DEFAULT_MAX_ITEMS } from './decode.ts';
import type { ReadContext } from './decode.ts';
import { newDraft } from './draft.ts';
import { readGenAI } from './genai.ts';
import { operationOf } from './operation.ts';
import { readOpenInference } from './openinference.ts';
import { readOpenLLMetry } from './openllmetry.ts';
import type { Attributes, SpanRecord } from './span-record.ts';
import type { OutcomeSignals, SpanView, TokenUsage } from './span-view.ts';

export interface NormalizeOptions {
  /** Strings longer than this are kept but not parsed (a note goes to `problems`). Default 256 KiB. */
  readonly maxAttributeChars?: number;
  /** Messages per attribute and parts per message read from one span. Default 1000. */
  readonly maxItems?: number;
}

const NONE: readonly never[] = Object.freeze([]);
const NO_OUTCOME: OutcomeSignals = Object.freeze({});
const NO_USAGE: TokenUsage = Object.freeze({});
const NO_COHORT: Readonly<Record<string, string>> = Object.freeze({});

/**
 * One span → its normalized view, whichever instrumentation wrote it (GenAI
 * semconv, OpenInference, OpenLLMetry). Pure and total: content that cannot be
 * read becomes a note in `problems`, never an exception, and a span without
 * content is simply an empty view. Runs inline on every span, so attribute keys
 * are scanned once and each JSON attribute is parsed at most once.
 */
export function normalizeSpan(span: SpanRecord, options?: NormalizeOptions, records?: readonly ContentRecord[]): SpanView {
  const problems: string[] = [];
  try {
    return readSpan(span, problems, options, records);
  } catch (error) {
    // A reader bug must not take the span (or the user's request) down with it.
    problems.push(`normalization failed: ${error instanceof Error ? error.message : String(error)}`);
    return contentFreeView(span, {}, problems);
  }
}

function readSpan(span: SpanRecord, problems: string[], options: NormalizeOptions | undefined, records: readonly ContentRecord[] | undefined): SpanView {
  const ctx: ReadContext = {
    problems,
    maxChars: options?.maxAttributeChars ?? DEFAULT_MAX_ATTRIBUTE_CHARS,
    maxItems: options?.maxItems ?? DEFAULT_MAX_ITEMS,
  };
  const attributes = withContentBeside(span, records, ctx);
  const scan = scanAttributes(attributes, ctx);
  if (!scan.genAI && !scan.openInference && !scan.openLLMetry) return contentFreeView(span, scan, problems);

  const draft = newDraft(operationOf(span.name, attributes, ctx), span.name);
  if (scan.genAI) readGenAI(attributes, draft, ctx);
  if (scan.openInference) readOpenInference(attributes, scan, draft, ctx);
  if (scan.openLLMetry) readOpenLLMetry(attributes, scan, draft, ctx);
  const usage: { -readonly [K in keyof TokenUsage]: TokenUsage[K] } = {};
  if (draft.inputTokens !== undefined) usage.inputTokens = draft.inputTokens;
  if (draft.outputTokens !== undefined) usage.outputTokens = draft.outputTokens;
  const view: { -readonly [K in keyof SpanView]: SpanView[K] } = {
    span,
    operation: draft.operation,
    systemInstructions: draft.systemInstructions,
    inputMessages: draft.inputMessages,
    outputMessages: draft.outputMessages,
    toolCalls: draft.toolCalls,
    retrievedContext: draft.retrievedContext,
    usage,
    outcome: scan.outcome ?? NO_OUTCOME,
    cohort: scan.cohort ?? NO_COHORT,
    problems,
  };
  // Optional fields are set only when known, so views compare equal whatever their source.
  const conversationId = conversationIdOf(attributes, ctx);
  if (conversationId !== undefined) view.conversationId = conversationId;
  if (draft.agentName !== undefined) view.agentName = draft.agentName;
  if (draft.requestModel !== undefined) view.requestModel = draft.requestModel;
  if (draft.responseModel !== undefined) view.responseModel = draft.responseModel;
  if (draft.responseId !== undefined) view.responseId = draft.responseId;
  if (draft.provider !== undefined) view.provider = draft.provider;
  return view;
}

/**
 * The span's attributes, with the content that travels beside it (its span events, log records
 * joined to it) filled in where the span itself has none: the span's own content attribute wins,
 * so content found in two places is read once. A span without such events or records is read
 * as it is, at the cost of one walk over its event names.
 */
function withContentBeside(span: SpanRecord, records: readonly ContentRecord[] | undefined, ctx: ReadContext): Attributes {
  const own = span.attributes ?? {};
  const events = span.events;
  const fromEvents = events !== undefined && events.length > 0 ? contentRecordsOfEvents(events) : undefined;
  if (fromEvents === undefined && (records === undefined || records.length === 0)) return own;
  const all = fromEvents === undefined ? records! : records === undefined ? fromEvents : [...fromEvents, ...records];
  const beside = contentAttributesOf(all, ctx);
  if (beside === undefined) return own;
  let merged: Record<string, Attributes[string]> | undefined;
  for (const [key, value] of Object.entries(beside)) {
    if (own[key] !== undefined) continue;
    (merged ??= { ...own })[key] = value;
  }
  return merged ?? own;
}

/**
 * Most spans (HTTP, DB, …) carry nothing of ours: no reader runs and the view
 * shares frozen empty values. The span name alone does not make an operation —
 * an HTTP route may well be called `chat`.
 */
function contentFreeView(span: SpanRecord, scan: Partial<AttributeScan>, problems: string[]): SpanView {
  return {
    span,
    operation: 'other',
    systemInstructions: NONE,
    inputMessages: NONE,
    outputMessages: NONE,
    toolCalls: NONE,
    retrievedContext: NONE,
    usage: NO_USAGE,
    outcome: scan.outcome ?? NO_OUTCOME,
    cohort: scan.cohort ?? NO_COHORT,
    problems: problems.length === 0 ? NONE : problems,
  };
}
