import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ReceivedSpan } from '../../otlp/wire/received.ts';

// Ids, timestamps, kind, status and protobuf framing of one span; resource and scope are shared
// by the batch and not charged per span. An estimate for the queue bound, not a wire size.
const SPAN_OVERHEAD_BYTES = 96;
const EVENT_OVERHEAD_BYTES = 24;
const LINK_OVERHEAD_BYTES = 48;
const ATTRIBUTE_OVERHEAD_BYTES = 8;
const SCALAR_BYTES = 9;

/**
 * Approximate OTLP size of a span, cheap enough to run on every enqueued span. A span received
 * as protobuf is its received size plus the estimate of what was added (src/otlp/wire).
 */
export function approximateSpanBytes(span: ReadableSpan): number {
  const received = (span as { received?: () => ReceivedSpan | undefined }).received?.();
  if (received !== undefined) {
    let bytes = received.bytes.byteLength;
    for (const event of received.addedEvents) bytes += EVENT_OVERHEAD_BYTES + event.name.length + attributesBytes(event.attributes);
    for (const key of received.addedAttributes) bytes += ATTRIBUTE_OVERHEAD_BYTES + key.length + valueBytes(received.attributes[key] as AttributeValue);
    return bytes;
  }
  let bytes = SPAN_OVERHEAD_BYTES + span.name.length + attributesBytes(span.attributes);
  for (const event of span.events) bytes += EVENT_OVERHEAD_BYTES + event.name.length + attributesBytes(event.attributes);
  for (const link of span.links) bytes += LINK_OVERHEAD_BYTES + attributesBytes(link.attributes);
  return bytes;
}

function attributesBytes(attributes: Attributes | undefined): number {
  if (!attributes) return 0;
  let bytes = 0;
  for (const key in attributes) bytes += ATTRIBUTE_OVERHEAD_BYTES + key.length + valueBytes(attributes[key]);
  return bytes;
}

function valueBytes(value: AttributeValue | undefined): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) {
    let bytes = 0;
    for (const item of value) bytes += typeof item === 'string' ? item.length + 2 : SCALAR_BYTES;
    return bytes;
  }
  return SCALAR_BYTES;
}
