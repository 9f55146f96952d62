import { z } from 'zod';
import { defineSection } from './section.ts';
import { listenAddress } from './receiver.ts';

const ATTRIBUTE_NAME = /^[A-Za-z_][\w.]*$/;

/**
 * Where tracejudge's own metrics are served. Absent = not served (the global OTel
 * meter provider, a no-op unless the application installs one, still receives them).
 */
export const MetricsConfigSchema = z
  .strictObject({
    /** A Prometheus scrape endpoint (`GET /metrics`), e.g. `0.0.0.0:9464`. */
    prometheus: z.strictObject({ listen: listenAddress() }).optional(),
    /**
     * Cohort attributes written as labels on score metrics (e.g. `app.vertical`, `app.language`): what the
     * dashboard's cohort panels group by. None by default: every label multiplies the series.
     */
    cohortAttributes: z
      .preprocess(
        // A comma-separated string is how a list arrives from an environment variable.
        (value) => (typeof value === 'string' ? value.split(',').map((name) => name.trim()).filter((name) => name !== '') : value),
        z.array(z.string().regex(ATTRIBUTE_NAME, { error: 'expected an attribute name like app.vertical' })).max(8, { error: 'at most 8 cohort attributes (each multiplies the series)' }),
      )
      .prefault([]),
    /** Distinct values kept per cohort attribute; later ones are written as `other` (bounded cardinality). */
    maxValuesPerCohortAttribute: z.number().int().min(1).max(1000).prefault(20),
  })
  .prefault({});

export type MetricsConfig = z.output<typeof MetricsConfigSchema>;

export const metricsSection = defineSection(MetricsConfigSchema, {
  TRACEJUDGE_METRICS_PROMETHEUS_LISTEN: 'prometheus.listen',
  TRACEJUDGE_METRICS_COHORT_ATTRIBUTES: 'cohortAttributes',
});
