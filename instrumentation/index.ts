/**
 * What an agent imports to be evaluated: conversation / turn / tool spans with
 * outcome signals, the OpenAI client instrumentation, and a one-call SDK setup.
 * See docs/instrumentation.md.
 */
export { startConversation } from './conversation.ts';
export type { Conversation, TurnInput } from './conversation.ts';
export type { ConversationOptions, TraceLayout } from './conversation-options.ts';
export type { Turn } from './turn.ts';
export { traceTool } from './tool.ts';
export type { ToolCallOptions } from './tool.ts';
export type { OutcomeAttributes, OutcomeRecorder, UserFeedback } from './outcome.ts';
export type { AppAttributeValue, AppScalar, Cohort } from './app-attributes.ts';
export { conversationIdOf } from './conversation-context.ts';
export { InstrumentationUsageError } from './errors.ts';

export { instrumentOpenAI } from './openai/instrument.ts';
export type { OpenAIInstrumentationOptions } from './openai/instrument.ts';
export { CAPTURE_CONTENT_ENV } from './openai/capture.ts';

export { setupTracejudge, TracejudgeSetupError } from './setup.ts';
export type { TracejudgeSetup, TracejudgeSetupOptions } from './setup.ts';
export { otlpProtocolFromEnv, otlpTraceExporterFromEnv } from './otlp-exporter.ts';
export type { OtlpExporterConfig, OtlpHttpProtocol } from './otlp-exporter.ts';
export { AGENTS_TRACER_NAME, HELPERS_TRACER_NAME, OPENAI_TRACER_NAME } from './tracer-names.ts';

export { OpenAIAgentsTracingProcessor } from './openai-agents/tracing-processor.ts';
export type { OpenAIAgentsTracingOptions } from './openai-agents/tracing-processor.ts';
export type { AgentsSpan, AgentsTrace, AgentsTracingProcessor } from './openai-agents/agents-types.ts';
export { aiSdkConversation } from './vercel-ai/enrich-span.ts';
export type { AiSdkConversation, AiSdkConversationOptions, AiSdkSpanAttributes, AiSdkSpanInfo } from './vercel-ai/enrich-span.ts';
