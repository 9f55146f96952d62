import { isValidSpanId, isValidTraceId, logs, ROOT_CONTEXT, SeverityNumber, trace, TraceFlags } from '@opentelemetry/api';
import type { Context, Logger, LoggerProvider } from '@opentelemetry/api';
import type { EvaluationResult } from '../model/evaluation-result.ts';
import { evaluationEventAttributes } from './event-attributes.ts';
import type { EvaluationEventExtras } from './event-attributes.ts';
import { EVALUATION_RESULT_EVENT, TracejudgeAttributes } from './names.ts';
import type { EvaluationTarget, ResultSink } from './result-sink.ts';

/** Instrumentation scope of the log records (and of the metrics: meter `tracejudge`). */
const LOGGER_NAME = 'tracejudge';

export interface LogEventSinkOptions {
  /** Default: the global provider (`logs.getLogger('tracejudge')`), a no-op until the application installs one. */
  readonly loggerProvider?: LoggerProvider;
  /** Called with each failed emit and the running count of failures; the result is lost, the span flows on. */
  readonly onError?: (error: unknown, failures: number) => void;
}

export interface LogEventSinkStats {
  /** Records handed to the logger. */
  readonly emitted: number;
  /** Results whose emit threw. */
  readonly failed: number;
}

/**
 * Writes each result as a log-based `gen_ai.evaluation.result` event (Logs API
 * `eventName`), with the attributes of the span event and the evaluated span's
 * trace context, so a logs backend can link the record to the span. OTEP 4430
 * moves new events to the Logs API, but Jaeger and Tempo draw span events, not
 * `/v1/logs` records (REFERENCE.md, "Span events vs log-based events"): this
 * sink goes beside SpanEventSink, not instead of it. Never throws.
 */
export class LogEventSink implements ResultSink {
  readonly #logger: Logger;
  readonly #onError: ((error: unknown, failures: number) => void) | undefined;
  #emitted = 0;
  #failed = 0;

  constructor(options: LogEventSinkOptions = {}) {
    this.#logger = (options.loggerProvider ?? logs).getLogger(LOGGER_NAME);
    this.#onError = options.onError;
  }

  write(results: readonly EvaluationResult[], target: EvaluationTarget): void {
    if (results.length === 0) return;
    try {
      const context = evaluatedSpanContext(target);
      // The global logger is a no-op until a provider is installed: skip building attributes for nothing.
      if (!this.#logger.enabled({ context, eventName: EVALUATION_RESULT_EVENT, severityNumber: SeverityNumber.INFO })) return;
      const extras: EvaluationEventExtras = {
        ...(target.responseId !== undefined && { responseId: target.responseId }),
        attributes: { [TracejudgeAttributes.CONVERSATION_ID]: target.conversationId },
      };
      for (const result of results) this.#emit(result, extras, context);
    } catch (error) {
      this.#fail(error, results.length);
    }
  }

  stats(): LogEventSinkStats {
    return { emitted: this.#emitted, failed: this.#failed };
  }

  #emit(result: EvaluationResult, extras: EvaluationEventExtras, context: Context): void {
    try {
      this.#logger.emit({
        eventName: EVALUATION_RESULT_EVENT,
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        attributes: evaluationEventAttributes(result, extras),
        context,
      });
      this.#emitted++;
    } catch (error) {
      this.#fail(error, 1);
    }
  }

  #fail(error: unknown, lost: number): void {
    this.#failed += lost;
    try {
      this.#onError?.(error, this.#failed);
    } catch {
      // the error reporter's own failure: nothing left to tell
    }
  }
}

/**
 * The evaluated span as the record's parent context. Semconv: the event SHOULD
 * be parented to the evaluated span; a log record carries that as its trace and
 * span id. Sampled, since the span was recorded; remote, since it is not ours.
 */
function evaluatedSpanContext(target: EvaluationTarget): Context {
  const { traceId, spanId } = target;
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
}
