/**
 * Attribute names tracejudge reads and the instrumentation writes.
 * GenAI semconv names come from semantic-conventions-genai (REFERENCE.md);
 * OpenInference / OpenLLMetry spellings are read only, in `normalize`.
 */

export const GenAI = {
  OPERATION_NAME: 'gen_ai.operation.name',
  PROVIDER_NAME: 'gen_ai.provider.name',
  /** Replaced by `gen_ai.provider.name` in semconv 1.37; still read. */
  SYSTEM: 'gen_ai.system',
  CONVERSATION_ID: 'gen_ai.conversation.id',
  AGENT_NAME: 'gen_ai.agent.name',
  AGENT_ID: 'gen_ai.agent.id',
  AGENT_VERSION: 'gen_ai.agent.version',
  TOOL_NAME: 'gen_ai.tool.name',
  TOOL_CALL_ID: 'gen_ai.tool.call.id',
  TOOL_TYPE: 'gen_ai.tool.type',
  TOOL_CALL_ARGUMENTS: 'gen_ai.tool.call.arguments',
  TOOL_CALL_RESULT: 'gen_ai.tool.call.result',
  INPUT_MESSAGES: 'gen_ai.input.messages',
  OUTPUT_MESSAGES: 'gen_ai.output.messages',
  SYSTEM_INSTRUCTIONS: 'gen_ai.system_instructions',
  USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  USAGE_PROMPT_TOKENS_OLD: 'gen_ai.usage.prompt_tokens',
  USAGE_COMPLETION_TOKENS_OLD: 'gen_ai.usage.completion_tokens',
  REQUEST_MODEL: 'gen_ai.request.model',
  RESPONSE_MODEL: 'gen_ai.response.model',
  RESPONSE_ID: 'gen_ai.response.id',
  RESPONSE_FINISH_REASONS: 'gen_ai.response.finish_reasons',
  OUTPUT_TYPE: 'gen_ai.output.type',
  RETRIEVAL_DOCUMENTS: 'gen_ai.retrieval.documents',
} as const;

/** Cohort and outcome attributes an app records through `instrumentation/`. */
export const App = {
  /** Every `app.*` string attribute is a cohort dimension; these are the usual ones. */
  COHORT_PREFIX: 'app.',
  VERTICAL: 'app.vertical',
  LANGUAGE: 'app.language',
  FLOW: 'app.flow',
  VARIANT: 'app.variant',
  ESCALATED: 'app.escalated',
  BOOKING_MADE: 'app.booking_made',
  TICKET_CREATED: 'app.ticket_created',
  USER_FEEDBACK: 'app.user_feedback',
  CONVERSATION_ENDED: 'app.conversation_ended',
  /** Span event recorded with each outcome signal, for the timeline. */
  OUTCOME_EVENT: 'app.outcome',
  OUTCOME_NAME: 'app.outcome.name',
} as const;

export const OpenInference = {
  SPAN_KIND: 'openinference.span.kind',
  INPUT_VALUE: 'input.value',
  INPUT_MIME_TYPE: 'input.mime_type',
  OUTPUT_VALUE: 'output.value',
  OUTPUT_MIME_TYPE: 'output.mime_type',
  SESSION_ID: 'session.id',
  USER_ID: 'user.id',
  INPUT_MESSAGES_PREFIX: 'llm.input_messages.',
  OUTPUT_MESSAGES_PREFIX: 'llm.output_messages.',
  TOKEN_COUNT_PROMPT: 'llm.token_count.prompt',
  TOKEN_COUNT_COMPLETION: 'llm.token_count.completion',
  MODEL_NAME: 'llm.model_name',
  PROVIDER: 'llm.provider',
  SYSTEM: 'llm.system',
  RETRIEVAL_DOCUMENTS_PREFIX: 'retrieval.documents.',
  TOOL_NAME: 'tool.name',
  TOOL_PARAMETERS: 'tool.parameters',
} as const;

export const OpenLLMetry = {
  SPAN_KIND: 'traceloop.span.kind',
  ENTITY_NAME: 'traceloop.entity.name',
  ENTITY_INPUT: 'traceloop.entity.input',
  ENTITY_OUTPUT: 'traceloop.entity.output',
  SESSION_ID: 'traceloop.association.properties.session_id',
  REQUEST_TYPE: 'llm.request.type',
  PROMPT_PREFIX: 'gen_ai.prompt.',
  COMPLETION_PREFIX: 'gen_ai.completion.',
} as const;
