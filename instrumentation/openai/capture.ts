/**
 * Message content on LLM client spans is opt-in (semconv "Recording content on
 * attributes"): `captureMessageContent` when given, else the standard variable
 * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`. Besides `true`, the values
 * the Python GenAI utilities define that put content on spans are honoured.
 * Read per call, so a process can switch it without re-instrumenting.
 */
const ENABLING_VALUES = new Set(['true', 'span_only', 'span_and_event']);

export const CAPTURE_CONTENT_ENV = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';

export function captureMessageContent(option: boolean | undefined): boolean {
  if (typeof option === 'boolean') return option;
  const raw = process.env[CAPTURE_CONTENT_ENV];
  return raw !== undefined && ENABLING_VALUES.has(raw.trim().toLowerCase());
}
