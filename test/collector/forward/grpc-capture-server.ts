import * as grpc from '@grpc/grpc-js';
import { decodeLogsRequestProtobuf, decodeTraceRequestProtobuf, retryInfoStatus } from '../../../src/otlp/index.ts';
import type { DecodedLogRecord, DecodedSpan } from '../../../src/otlp/index.ts';

/** What the upstream answers a call: OK, or a status (with a RetryInfo delay in seconds when given). */
export type GrpcReply = { readonly code: grpc.status; readonly retryAfterSeconds?: number; readonly details?: string };
export type GrpcScript = (call: GrpcCaptured, index: number) => GrpcReply;

export interface GrpcCaptured {
  readonly service: 'traces' | 'logs';
  readonly metadata: Readonly<Record<string, string>>;
  readonly spans: DecodedSpan[];
  readonly records: DecodedLogRecord[];
  code?: grpc.status;
}

const raw = (value: Buffer) => value;
const unary = (path: string) => ({ path, requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw });

/**
 * An OTLP/gRPC upstream on 127.0.0.1 for the forwarder's tests: TraceService and LogsService
 * Export with raw bytes, every request decoded and kept with its metadata, answers scripted.
 */
export class GrpcCaptureServer {
  readonly calls: GrpcCaptured[] = [];
  script: GrpcScript = () => ({ code: grpc.status.OK });
  readonly #server = new grpc.Server();
  #port = 0;

  static async start(script?: GrpcScript): Promise<GrpcCaptureServer> {
    const capture = new GrpcCaptureServer();
    if (script) capture.script = script;
    const handler = (service: 'traces' | 'logs') => (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
      const metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(call.metadata.getMap())) if (typeof value === 'string') metadata[name] = value;
      const captured: GrpcCaptured = {
        service,
        metadata,
        spans: service === 'traces' ? decodeTraceRequestProtobuf(call.request).spans : [],
        records: service === 'logs' ? decodeLogsRequestProtobuf(call.request).records : [],
      };
      const reply = capture.script(captured, capture.calls.length);
      captured.code = reply.code;
      capture.calls.push(captured);
      if (reply.code === grpc.status.OK) return done(null, Buffer.alloc(0));
      const trailer = new grpc.Metadata();
      if (reply.retryAfterSeconds !== undefined) trailer.set('grpc-status-details-bin', retryInfoStatus(reply.code, 'scripted', reply.retryAfterSeconds));
      done({ code: reply.code, details: reply.details ?? 'scripted', metadata: trailer });
    };
    capture.#server.addService({ Export: unary('/opentelemetry.proto.collector.trace.v1.TraceService/Export') } as unknown as grpc.ServiceDefinition, { Export: handler('traces') });
    capture.#server.addService({ Export: unary('/opentelemetry.proto.collector.logs.v1.LogsService/Export') } as unknown as grpc.ServiceDefinition, { Export: handler('logs') });
    capture.#port = await new Promise<number>((resolve, reject) =>
      capture.#server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    return capture;
  }

  /** The forwarder's endpoint for this server: its address as a URL (OTLP/gRPC has no paths). */
  get endpoint(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Spans of the calls answered OK: what the upstream now holds. */
  get spans(): DecodedSpan[] {
    return this.calls.filter((call) => call.service === 'traces' && call.code === grpc.status.OK).flatMap((call) => call.spans);
  }

  get records(): DecodedLogRecord[] {
    return this.calls.filter((call) => call.service === 'logs' && call.code === grpc.status.OK).flatMap((call) => call.records);
  }

  down(): Promise<void> {
    return new Promise((resolve) => this.#server.tryShutdown(() => resolve()));
  }
}
