/** Embedded persistence on node:sqlite: evaluated conversations, scores, the review queue. */
export { countConversations, insertConversations, listConversations, recordConversations, validateRecord, type ConversationQuery } from './conversation-rows.ts';
export { migrations, SCHEMA_VERSION, type Migration } from './migrations.ts';
export type { ConversationRecord, StoredConversation, StoredScore, TranscriptLine } from './records.ts';
export { decideReviewItem, decideReviewItems, insertReviewItems, listReviewItems, markApplied, queueForReview, reviewItem, type ReviewDecision, type ReviewItem, type ReviewQuery, type ReviewStatus } from './review-rows.ts';
export { StoreError, storeErrorOf, type StoreErrorKind } from './store-error.ts';
export { StoreResultSink, worthStoring, type ConversationContext, type ConversationMasker, type StoreResultSinkOptions, type StoreSinkStats, type StoreTarget } from './store-result-sink.ts';
export { TracejudgeStore, type Retention, type StoreOptions } from './store.ts';
