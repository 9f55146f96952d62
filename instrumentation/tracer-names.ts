/** Instrumentation scope names: backends show them, and they tell our spans from other libraries'. */
export const HELPERS_TRACER_NAME = 'tracejudge/instrumentation';
export const OPENAI_TRACER_NAME = 'tracejudge/instrumentation-openai';
export const AGENTS_TRACER_NAME = 'tracejudge/instrumentation-openai-agents';
