import type { BatchObservableResult, MeterProvider, Observable } from '@opentelemetry/api';
import type { ReceiverStats } from './stats.ts';

/**
 * The receiver's counters as OTel instruments on the `tracejudge` meter, observed from
 * `stats()` so there is one source of truth (as the forwarder's). Attribute names follow
 * the HTTP semconv (`http.route`, `http.response.status_code`); cardinality is bounded
 * by the receiver's few routes times the statuses it answers.
 */
const ROUTES = new Set(['/v1/traces', '/v1/logs', '/healthz', '/readyz']);

export function observeReceiver(meterProvider: MeterProvider, stats: () => ReceiverStats): () => void {
  const meter = meterProvider.getMeter('tracejudge');
  const requests = meter.createObservableCounter('tracejudge.receiver.requests', {
    unit: '{request}',
    description: 'Requests answered, by route and status',
  });
  const accepted = meter.createObservableCounter('tracejudge.receiver.spans.accepted', { unit: '{span}', description: 'Spans taken for evaluation and forwarding' });
  const rejected = meter.createObservableCounter('tracejudge.receiver.spans.rejected', {
    unit: '{span}',
    description: 'Spans refused as unusable in an otherwise valid request (OTLP partial success)',
  });
  const bytes = meter.createObservableCounter('tracejudge.receiver.bytes.received', { unit: 'By', description: 'Request body bytes read, after decompression' });
  const inFlight = meter.createObservableGauge('tracejudge.receiver.in_flight.bytes', { unit: 'By', description: 'Request body bytes held now' });
  const observables: Observable[] = [requests, accepted, rejected, bytes, inFlight];
  const callback = (result: BatchObservableResult) => {
    const current = stats();
    const byRoute = new Map<string, number>();
    for (const [key, count] of Object.entries(current.requests)) {
      const at = key.lastIndexOf(' ');
      // Any other path (a scanner's) would be a new series each: they share one route.
      const route = ROUTES.has(key.slice(0, at)) ? key.slice(0, at) : 'other';
      const routeAndStatus = `${route} ${key.slice(at + 1)}`;
      byRoute.set(routeAndStatus, (byRoute.get(routeAndStatus) ?? 0) + count);
    }
    for (const [key, count] of byRoute) {
      const at = key.lastIndexOf(' ');
      result.observe(requests, count, { 'http.route': key.slice(0, at), 'http.response.status_code': Number(key.slice(at + 1)) });
    }
    result.observe(accepted, current.spansAccepted);
    result.observe(rejected, current.spansRejected);
    result.observe(bytes, current.bytesReceived);
    result.observe(inFlight, current.inFlightBytes);
  };
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
