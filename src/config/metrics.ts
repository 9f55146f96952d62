import { z } from 'zod';
import { defineSection } from './section.ts';
import { listenAddress } from './receiver.ts';

/**
 * Where tracejudge's own metrics are served. Absent = not served (the global OTel
 * meter provider, a no-op unless the application installs one, still receives them).
 */
export const MetricsConfigSchema = z
  .strictObject({
    /** A Prometheus scrape endpoint (`GET /metrics`), e.g. `0.0.0.0:9464`. */
    prometheus: z.strictObject({ listen: listenAddress() }).optional(),
  })
  .prefault({});

export type MetricsConfig = z.output<typeof MetricsConfigSchema>;

export const metricsSection = defineSection(MetricsConfigSchema, {
  TRACEJUDGE_METRICS_PROMETHEUS_LISTEN: 'prometheus.listen',
});
