/**
 * GenAI names the readers in src/model do not need, so they are not in
 * src/model/attributes.ts. Copied rather than imported from
 * `@opentelemetry/semantic-conventions/incubating`: that entry point may break in
 * minor versions, and OTel asks instrumentations to copy (its README, "Unstable
 * semconv"). Values as in semantic-conventions-genai.
 */
export const GenAIRequest = {
  TEMPERATURE: 'gen_ai.request.temperature',
  TOP_P: 'gen_ai.request.top_p',
  MAX_TOKENS: 'gen_ai.request.max_tokens',
  FREQUENCY_PENALTY: 'gen_ai.request.frequency_penalty',
  PRESENCE_PENALTY: 'gen_ai.request.presence_penalty',
  STOP_SEQUENCES: 'gen_ai.request.stop_sequences',
  SEED: 'gen_ai.request.seed',
  CHOICE_COUNT: 'gen_ai.request.choice.count',
  STREAM: 'gen_ai.request.stream',
} as const;

export const GenAIResponseExtra = {
  TIME_TO_FIRST_CHUNK: 'gen_ai.response.time_to_first_chunk',
  USAGE_CACHE_READ_INPUT_TOKENS: 'gen_ai.usage.cache_read.input_tokens',
  USAGE_REASONING_OUTPUT_TOKENS: 'gen_ai.usage.reasoning.output_tokens',
} as const;

export const OpenAIAttributes = {
  API_TYPE: 'openai.api.type',
  REQUEST_SERVICE_TIER: 'gen_ai.openai.request.service_tier',
  RESPONSE_SERVICE_TIER: 'gen_ai.openai.response.service_tier',
  RESPONSE_SYSTEM_FINGERPRINT: 'gen_ai.openai.response.system_fingerprint',
} as const;
