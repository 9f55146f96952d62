import type { SpanContentRecord } from '../../processors/content-join.ts';
import { eventNameOf, isContentEventName } from '../model/content-records.ts';
import { GenAI } from '../model/attributes.ts';
import type { DecodedLogRecord } from './logs-decode.ts';

/**
 * The GenAI content records of a logs request (REFERENCE.md: `gen_ai.*.message`, `gen_ai.choice`,
 * the operation-details event), keyed by the span they belong to, for the pipeline's join.
 * Records of other event names, or with neither a trace id nor a response id, are not content.
 */
export function genAIContentOf(records: readonly DecodedLogRecord[]): SpanContentRecord[] {
  const content: SpanContentRecord[] = [];
  for (const record of records) {
    const eventName = eventNameOf(record.eventName, record.attributes);
    if (!isContentEventName(eventName)) continue;
    const responseId = record.attributes[GenAI.RESPONSE_ID];
    if (record.traceId === undefined && typeof responseId !== 'string') continue;
    content.push({
      traceId: record.traceId ?? '',
      ...(record.spanId !== undefined && { spanId: record.spanId }),
      ...(typeof responseId === 'string' && { responseId }),
      record: {
        eventName,
        timeUnixNano: record.timeUnixNano,
        attributes: record.attributes,
        ...(record.body !== undefined && { body: record.body }),
      },
    });
  }
  return content;
}
