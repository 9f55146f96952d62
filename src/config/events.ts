import { z } from 'zod';
import { defineSection } from './section.ts';
import { booleanish } from './fields.ts';

/**
 * `events:` — how result events are written besides the span events on the
 * evaluated span (always on: Jaeger and Tempo draw those). `logs: true` also
 * emits each result as a log-based `gen_ai.evaluation.result` event through the
 * global OTel LoggerProvider (OTEP 4430), exported to `/v1/logs`.
 */
export const EventsConfigSchema = z
  .strictObject({
    logs: booleanish().prefault(false),
  })
  .prefault({});

export type EventsConfig = z.output<typeof EventsConfigSchema>;

export const eventsSection = defineSection(EventsConfigSchema, {
  TRACEJUDGE_EVENTS_LOGS: 'logs',
});
