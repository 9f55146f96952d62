import type { Context } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { eventNameOf, isContentEventName } from '../src/model/content-records.ts';
import { GenAI } from '../src/model/index.ts';
import type { AttributeValue, Attributes } from '../src/model/index.ts';
import type { EvaluationPipeline } from './evaluation-pipeline.ts';
import { reportError } from './report-error.ts';

const NANOS_PER_SECOND = 1_000_000_000n;

/** Anything that has the pipeline: the pipeline itself, or an EvaluationSpanProcessor. */
export type ContentIntake = EvaluationPipeline | { readonly pipeline: EvaluationPipeline };

export interface GenAIContentLogProcessorStats {
  /** Content records handed to the pipeline. */
  readonly recordsTaken: number;
  /** Records of other event names (or none), left alone. */
  readonly recordsIgnored: number;
  readonly errors: number;
}

/**
 * A LogRecordProcessor that hands GenAI content records (DESIGN.md, "Two signals": the official
 * OpenAI instrumentation's `gen_ai.user.message`, `gen_ai.tool.message`, `gen_ai.choice`, …, and
 * the operation-details event) to the evaluation pipeline, keyed by the span they were emitted
 * in, so that the span's evaluation in `onEnding` reads them: that instrumentation emits them
 * before it ends the span. Add it to the LoggerProvider beside the processor that exports the
 * records; it reads them and passes nothing on, so they reach their exporter unchanged. Bounded
 * by the pipeline's content join (spans, characters, age; evictions counted); never throws.
 */
export class GenAIContentLogProcessor implements LogRecordProcessor {
  readonly #intake: ContentIntake;
  #taken = 0;
  #ignored = 0;
  #errors = 0;

  /** `intake` is read at each record, so a setup may hand over a processor whose pipeline is built later. */
  constructor(intake: ContentIntake) {
    this.#intake = intake;
  }

  onEmit(logRecord: ReadableLogRecord, _context?: Context): void {
    try {
      const attributes = logRecord.attributes as Attributes;
      const eventName = eventNameOf(logRecord.eventName, attributes);
      if (!isContentEventName(eventName)) {
        this.#ignored++;
        return;
      }
      const span = logRecord.spanContext;
      const responseId = attributes[GenAI.RESPONSE_ID];
      const [seconds, nanos] = logRecord.hrTime;
      this.#taken++;
      const intake = this.#intake;
      const pipeline = 'addContent' in intake ? intake : intake.pipeline;
      pipeline.addContent([
        {
          traceId: span?.traceId ?? '',
          ...(span?.spanId && { spanId: span.spanId }),
          ...(typeof responseId === 'string' && { responseId }),
          record: {
            eventName,
            timeUnixNano: BigInt(seconds) * NANOS_PER_SECOND + BigInt(nanos),
            attributes,
            ...(logRecord.body !== undefined && { body: logRecord.body as AttributeValue }),
          },
        },
      ]);
    } catch (error) {
      reportError('tracejudge GenAI content log record', error, ++this.#errors);
    }
  }

  stats(): GenAIContentLogProcessorStats {
    return { recordsTaken: this.#taken, recordsIgnored: this.#ignored, errors: this.#errors };
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
