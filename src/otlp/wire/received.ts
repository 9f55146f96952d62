import type { TimedEvent } from '@opentelemetry/sdk-trace';

/**
 * A span received as protobuf: its message bytes as they arrived, and what was added to it since
 * (both only ever appended), which is all the forwarder needs to send it on.
 */
export interface ReceivedSpan {
  readonly bytes: Uint8Array;
  readonly addedEvents: readonly (TimedEvent & { readonly timeUnixNano: bigint })[];
  /** Keys of attributes set since it arrived, none of which it arrived with. */
  readonly addedAttributes: readonly string[];
  readonly attributes: Readonly<Record<string, unknown>>;
  /** The ResourceSpans' and ScopeSpans' own fields as they arrived. */
  readonly resource: ReceivedGroup;
  readonly scope: ReceivedGroup;
}

/** A ResourceSpans or ScopeSpans: its identity (for grouping) and its own fields, as they arrived. */
export interface ReceivedGroup {
  readonly receivedHeader: readonly Uint8Array[] | undefined;
}
