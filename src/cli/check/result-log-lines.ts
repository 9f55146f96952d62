import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordProcessor, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { LogEventSink } from '../../results/index.ts';

/** Keeps every record emitted, synchronously: `check` writes them out line by line, in order. */
class KeepingProcessor implements LogRecordProcessor {
  readonly records: ReadableLogRecord[] = [];

  onEmit(record: ReadableLogRecord): void {
    this.records.push(record);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Results as log-based `gen_ai.evaluation.result` events for `tracejudge check`, written as
 * OTLP/JSON `ExportLogsServiceRequest` lines (the Collector file exporter's logs format): the same
 * records LogEventSink emits in-process and in `collect`, serialized by the official serializer.
 * Results of content that came after its span go here always; every result does with `events.logs`.
 */
export class ResultLogLines {
  readonly loggerProvider: LoggerProvider;
  readonly sink: LogEventSink;
  readonly #kept = new KeepingProcessor();
  written = 0;

  constructor() {
    this.loggerProvider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'tracejudge' }), processors: [this.#kept] });
    this.sink = new LogEventSink({ loggerProvider: this.loggerProvider });
  }

  /** One line holding every record emitted since the last call, or undefined when there is none. */
  takeLine(): string | undefined {
    const records = this.#kept.records.splice(0);
    if (records.length === 0) return undefined;
    this.written += records.length;
    return `${Buffer.from(JsonLogsSerializer.serializeRequest(records)!).toString('utf8')}\n`;
  }
}
