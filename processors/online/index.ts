/** Online evaluation: sampling, the judge stage with hold-and-release, and its wiring from config. */
export { OnlineEvaluationStage, type OnlineScope, type OnlineStageOptions } from './online-stage.ts';
export { createOnlineEvaluation, createOnlineStage, type OnlineEvaluation, type OnlineStageParts, type OnlineStageSetup } from './create-online-evaluation.ts';
export { ConversationBuffer, DEFAULT_BUFFER_LIMITS, type ConversationBufferLimits } from './conversation-buffer.ts';
export { HoldQueue, DEFAULT_HOLD_LIMITS, type HoldLimits } from './hold-queue.ts';
