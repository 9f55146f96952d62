import type { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MeterProvider } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ForwardConfig } from '../../config/forward.ts';
import { UpstreamObserver } from './http-observer.ts';
import { LogsRelay } from './logs.ts';
import { createAgent } from './post.ts';
import { GrpcUpstream } from './grpc-upstream.ts';
import { ExporterSender, GrpcSpanSender, PersistedSender, type SendResult } from './senders.ts';
import type { PersistentQueue } from './persistent-queue.ts';

/**
 * Everything that talks to the upstream: the OTLP exporter for in-memory batches, the direct
 * POST for persisted ones, the logs relay, each on an HTTP agent of its own so the observers
 * count exactly their requests. With `protocol: grpc`, one gRPC channel carries both kinds of
 * batch (the logs relay opens its own, for the logs address).
 */
export class Upstream {
  readonly logs: LogsRelay;
  private readonly exporterSender: ExporterSender | GrpcSpanSender;
  private readonly grpc: GrpcUpstream | undefined;
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
    this.grpc = config.protocol === 'grpc' ? new GrpcUpstream(config.endpoint, config) : undefined;
    this.exporterSender = this.grpc ? new GrpcSpanSender(this.grpc) : new ExporterSender(config, exporterAgent, this.exporterObserver, meterProvider, Date.now);
    this.persistedSender = store && new PersistedSender(store, config, postAgent, this.grpc);
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
    const sender = this.exporterSender;
    return sender instanceof ExporterSender ? Math.max(0, this.exporterObserver.attempts - sender.sends) : 0;
  }

  get bytesSent(): number {
    return this.exporterObserver.bytesWritten + this.postObserver.bytesWritten + (this.grpc?.bytesSent ?? 0);
  }

  /** The exporter's shutdown awaits its in-flight exports; those are not waited on past the deadline. */
  async close(remainingMs: number): Promise<void> {
    const sender = this.exporterSender;
    if (sender instanceof ExporterSender) await Promise.race([sender.shutdown().catch(() => {}), sleep(remainingMs, undefined, { ref: false })]);
    this.grpc?.close();
    this.logs.close();
    this.exporterObserver.close();
    this.postObserver.close();
    for (const agent of this.agents) agent.destroy();
  }
}
