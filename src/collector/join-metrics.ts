import type { BatchObservableResult, MeterProvider, Observable } from '@opentelemetry/api';
import type { PipelineStats } from '../../processors/index.ts';
import type { ContentWaitStats } from './content-wait.ts';

/**
 * The two-signals join as OTel instruments on the `tracejudge` meter, observed from the stats (one
 * source of truth, as the receiver's): content records by outcome, log records the receiver took
 * and refused, spans that waited for their content by how they were released, and what is held now.
 */
export function observeJoin(
  meterProvider: MeterProvider,
  stats: () => { pipeline: PipelineStats; join: ContentWaitStats; logRecordsAccepted: number; logRecordsRejected: number },
): () => void {
  const meter = meterProvider.getMeter('tracejudge');
  const records = meter.createObservableCounter('tracejudge.content.records', {
    unit: '{record}',
    description: 'GenAI content log records, by outcome: received, joined (to their span), late (after their span), evicted, expired',
  });
  const logRecords = meter.createObservableCounter('tracejudge.receiver.log_records', { unit: '{record}', description: 'Log records received, by outcome: accepted, rejected' });
  const lateSpans = meter.createObservableCounter('tracejudge.content.late_spans', { unit: '{span}', description: 'Spans evaluated again when their content came after them' });
  const waited = meter.createObservableCounter('tracejudge.join.spans_waited', {
    unit: '{span}',
    description: 'Spans that waited for their content, by release: content, deadline, stop',
  });
  const held = meter.createObservableGauge('tracejudge.join.held_spans', { unit: '{span}', description: 'Spans held for their content now' });
  const waiting = meter.createObservableGauge('tracejudge.content.spans_waiting', { unit: '{span}', description: 'Spans whose records wait for them now' });
  const p99 = meter.createObservableGauge('tracejudge.join.wait_p99', { unit: 'ms', description: 'p99 wait of a held request for its content (last 10,000)' });
  const observables: Observable[] = [records, logRecords, lateSpans, waited, held, waiting, p99];
  const callback = (result: BatchObservableResult) => {
    const { pipeline, join, logRecordsAccepted, logRecordsRejected } = stats();
    const content = pipeline.content;
    result.observe(records, content.recordsReceived, { outcome: 'received' });
    result.observe(records, content.recordsJoined, { outcome: 'joined' });
    result.observe(records, content.lateRecords, { outcome: 'late' });
    result.observe(records, content.recordsEvicted, { outcome: 'evicted' });
    result.observe(records, content.recordsExpired, { outcome: 'expired' });
    result.observe(logRecords, logRecordsAccepted, { outcome: 'accepted' });
    result.observe(logRecords, logRecordsRejected, { outcome: 'rejected' });
    result.observe(lateSpans, content.lateSpansEvaluated);
    result.observe(waited, join.releasedWithContent, { release: 'content' });
    result.observe(waited, join.releasedAtDeadline, { release: 'deadline' });
    result.observe(waited, join.releasedAtStop, { release: 'stop' });
    result.observe(held, join.heldSpans);
    result.observe(waiting, content.spansWaiting);
    result.observe(p99, join.p99WaitMs);
  };
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
