import type { Agent } from 'node:http';
import type { ForwardConfig } from '../../config/forward.ts';
import { UpstreamObserver } from './http-observer.ts';
import { LogsRelay } from './logs.ts';
import { createAgent } from './post.ts';
import { GrpcUpstream } from './grpc-upstream.ts';
import { BodySender, PersistedSender, type EncodedBatch, type SendResult } from './senders.ts';
import type { PersistentQueue } from './persistent-queue.ts';

/**
 * Everything that talks to the upstream: encoded batches, in memory or read back from the queue
 * file, through one sender (HTTP on an agent of its own, so its observer counts exactly its
 * requests, or one gRPC channel with `protocol: grpc`), and the logs relay (its own agent, or
 * gRPC channel, for the logs address).
 */
export class Upstream {
  readonly logs: LogsRelay;
  private readonly sender: BodySender;
  private readonly grpc: GrpcUpstream | undefined;
  private readonly persistedSender: PersistedSender | undefined;
  private readonly observer: UpstreamObserver;
  private readonly agents: Agent[];

  constructor(config: ForwardConfig, store: PersistentQueue | undefined, random: () => number) {
    const tracesAgent = createAgent(config.endpoint, config.batch.maxInFlight);
    const logsAgent = createAgent(config.logs.endpoint ?? config.endpoint, 4);
    this.agents = [tracesAgent, logsAgent];
    this.observer = new UpstreamObserver(tracesAgent);
    this.grpc = config.protocol === 'grpc' ? new GrpcUpstream(config.endpoint, config) : undefined;
    this.sender = new BodySender(config, tracesAgent, this.grpc);
    this.persistedSender = store && new PersistedSender(store, this.sender);
    this.logs = new LogsRelay(config, logsAgent, random);
  }

  send(batch: EncodedBatch, signal: AbortSignal): Promise<SendResult> {
    return this.sender.send(batch, signal);
  }

  sendPersisted(id: number, signal: AbortSignal): Promise<SendResult> {
    if (!this.persistedSender) throw new Error(`batch ${id} is persisted but no queue file is open`);
    return this.persistedSender.send(id, signal);
  }

  get bytesSent(): number {
    return this.observer.bytesWritten + (this.grpc?.bytesSent ?? 0);
  }

  close(): void {
    this.grpc?.close();
    this.logs.close();
    this.observer.close();
    for (const agent of this.agents) agent.destroy();
  }
}
