/**
 * The labelled rows in one shape, sent as OTLP/HTTP protobuf to a real `CollectorService` on
 * 127.0.0.1 — the collector front door, where the other runner uses `tracejudge check` — and the
 * verdicts its pipeline reaches on each row's chat span. Logs go first or last (`logsFirst`):
 * content that arrives before its span waits in the join; after it, the span is evaluated again.
 */
import { OtlpForwarder } from '../../src/collector/forward/forwarder.ts';
import { CollectorService } from '../../src/collector/service.ts';
import { logsRequestJsonToProtobuf, traceRequestJsonToProtobuf } from '../../src/otlp/index.ts';
import type { ResultSink } from '../../src/results/result-sink.ts';
import type { LabelledRow } from '../checks/precision-recall.ts';
import { CaptureServer, testConfig } from '../collector/forward/capture-server.ts';
import { renderRow } from './render.ts';
import type { Layout, Shape } from './render.ts';
import { verdictsOf } from './verdicts.ts';
import type { Verdicts } from './verdicts.ts';

async function post(url: string, body: Uint8Array): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
}

export async function collectorVerdicts(rows: readonly LabelledRow[], shape: Shape, layout: Layout, logsFirst: boolean): Promise<Verdicts> {
  const rowOfChatSpan = new Map<string, string>();
  const verdicts: Verdicts = new Map();
  const sink: ResultSink = {
    write(results, target) {
      const id = rowOfChatSpan.get(target.spanId);
      if (id !== undefined) verdicts.set(id, verdictsOf(results));
    },
  };
  const capture = await CaptureServer.start();
  const forwarder = new OtlpForwarder(testConfig(capture.tracesUrl), { flushTimeoutMs: 5000 });
  // No wait for content: a span whose records come later is evaluated again when they arrive.
  const service = new CollectorService({ forwarder, receiver: { host: '127.0.0.1', port: 0 }, pipeline: { sinks: [sink] }, joinWaitMs: 0 });
  const base = `http://127.0.0.1:${(await service.start()).port}`;
  try {
    const rendered = rows.map((row, index) => {
      const one = renderRow(row, index, shape, layout);
      rowOfChatSpan.set(one.chatSpanId, row.id);
      return one;
    });
    const sendLogs = async () => {
      for (const one of rendered) if (one.logs !== undefined) await post(`${base}/v1/logs`, logsRequestJsonToProtobuf(one.logs));
    };
    if (logsFirst) await sendLogs();
    for (const one of rendered) for (const traces of one.traces) await post(`${base}/v1/traces`, traceRequestJsonToProtobuf(traces));
    if (!logsFirst) await sendLogs();
    // Late content is evaluated on the next turn of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    await service.stop();
    await capture.down();
  }
  return verdicts;
}
