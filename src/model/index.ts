/** The normalized model: what every other folder reads instead of raw span attributes. */
export { App, GenAI, OpenInference, OpenLLMetry } from './attributes.ts';
export type { Conversation, GroundingSource, GroundingSourceKind, Turn } from './conversation.ts';
export { awaitsContentRecords, ContentEvent, contentAttributesOf, eventNameOf, isContentEventName } from './content-records.ts';
export type { ContentAttributes, ContentRecord } from './content-records.ts';
export { resolveConversationKey } from './conversation-key.ts';
export { DEFAULT_MAX_ATTRIBUTE_CHARS, DEFAULT_MAX_ITEMS } from './decode.ts';
export type { EvaluationDetails, EvaluationResult, EvaluationSource } from './evaluation-result.ts';
export { spanRecordFromReadable } from './from-readable-span.ts';
export { groundingSourcesOf } from './grounding-sources.ts';
export { messageText } from './messages.ts';
export type { Message, MessagePart, Role, ToolCall } from './messages.ts';
export { normalizeSpan } from './normalize.ts';
export type { NormalizeOptions } from './normalize.ts';
export { replyOf } from './reply.ts';
export { durationMs, SpanKindOtlp } from './span-record.ts';
export type { AttributeValue, Attributes, SpanEventRecord, SpanRecord, StatusCode } from './span-record.ts';
export type { OutcomeSignals, SpanOperation, SpanView, TokenUsage } from './span-view.ts';
