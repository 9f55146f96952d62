import { z } from 'zod';
import { defineSection } from './section.ts';
import { booleanish } from './fields.ts';

/**
 * `events:` — how results are written. `spans` (default on): `gen_ai.evaluation.result` span
 * events on the evaluated span, what Jaeger and Tempo draw. `logs: true` also emits each result as
 * a log-based `gen_ai.evaluation.result` event (OTEP 4430) with the evaluated span's ids: in-process
 * through the global OTel LoggerProvider, in `collect` to the upstream's `/v1/logs`, in `check` as
 * `resourceLogs` lines. `spans: false` is for backends that read the log events instead.
 */
export const EventsConfigSchema = z
  .strictObject({
    spans: booleanish().prefault(true),
    logs: booleanish().prefault(false),
    /**
     * Also set the status of a span with a failed evaluation to ERROR, the failed names as its
     * message (only a span whose status is unset: the app's own ERROR or OK stays). Off by default:
     * every failed check then counts in the service's error rate and error-rate SLOs.
     */
    failedSpanStatus: booleanish().prefault(false),
  })
  .prefault({});

export type EventsConfig = z.output<typeof EventsConfigSchema>;

export const eventsSection = defineSection(EventsConfigSchema, {
  TRACEJUDGE_EVENTS_LOGS: 'logs',
  TRACEJUDGE_EVENTS_SPANS: 'spans',
  TRACEJUDGE_EVENTS_FAILED_SPAN_STATUS: 'failedSpanStatus',
});
