import type { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MeterProvider } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ForwardConfig } from '../../config/forward.ts';
import { UpstreamObserver } from './http-observer.ts';
import { LogsRelay } from './logs.ts';
import { createAgent } from './post.ts';
import { ExporterSender, PersistedSender, type SendResult } from './senders.ts';
import type { PersistentQueue } from './persistent-queue.ts';

/**
 * Everything that talks to the upstream: the OTLP exporter for in-memory batches, the direct
 * POST for persisted ones, the logs relay, each on an HTTP agent of its own so the observers
 * count exactly their requests.
 */
export class Upstream {
  readonly logs: LogsRelay;
  private readonly exporterSender: ExporterSender;
  private readonly persistedSender: PersistedSender | undefined;
  private readonly exporterObserver: UpstreamObserver;
  private readonly postObserver: UpstreamObserver;
  private readonly agents: Agent[];

  constructor(config: ForwardConfig, store: PersistentQueue | undefined, meterProvider: MeterProvider, random: () => number) {
    const exporterAgent = createAgent(config.endpoint, config.batch.maxInFlight);
    const postAgent = createAgent(config.endpoint, config.batch.maxInFlight);
    const logsAgent = createAgent(config.logs.endpoint ?? config.endpoint, 4);
    this.agents = [exporterAgent, postAgent, logsAgent];
    this.exporterObserver = new UpstreamObserver(exporterAgent, Date.now);
    this.postObserver = new UpstreamObserver(postAgent, Date.now);
    this.exporterSender = new ExporterSender(config, exporterAgent, this.exporterObserver, meterProvider, Date.now);
    this.persistedSender = store && new PersistedSender(store, config, postAgent);
    this.logs = new LogsRelay(config, logsAgent, random);
  }

  sendSpans(spans: ReadableSpan[]): Promise<SendResult> {
    return this.exporterSender.send(spans);
  }

  sendPersisted(id: number, signal: AbortSignal): Promise<SendResult> {
    if (!this.persistedSender) throw new Error(`batch ${id} is persisted but no queue file is open`);
    return this.persistedSender.send(id, signal);
  }

  /** HTTP re-sends the OTLP exporter made on its own. */
  get exporterRetries(): number {
    return Math.max(0, this.exporterObserver.attempts - this.exporterSender.sends);
  }

  get bytesSent(): number {
    return this.exporterObserver.bytesWritten + this.postObserver.bytesWritten;
  }

  /** The exporter's shutdown awaits its in-flight exports; those are not waited on past the deadline. */
  async close(remainingMs: number): Promise<void> {
    await Promise.race([this.exporterSender.shutdown().catch(() => {}), sleep(remainingMs, undefined, { ref: false })]);
    this.exporterObserver.close();
    this.postObserver.close();
    for (const agent of this.agents) agent.destroy();
  }
}
