import * as grpc from '@grpc/grpc-js';
import type { IncomingHttpHeaders } from 'node:http';
import { decodeLogsRequest, decodeTraceRequest, encodeExportLogsResponse, encodeExportTraceResponse, OtlpDecodeError, retryInfoStatus } from '../../otlp/index.ts';
import { RequestAuthenticator } from './auth.ts';
import type { ReceiverAuth } from './auth.ts';
import { partialSuccessOf } from './partial-success.ts';
import type { ReceiverIntake } from './receiver.ts';

/**
 * OTLP/gRPC (opentelemetry-proto docs/specification.md, "OTLP/gRPC"): `TraceService/Export` and
 * `LogsService/Export` on @grpc/grpc-js, into the same intake as OTLP/HTTP — the same decoder,
 * auth (the `authorization` metadata and any configured header, as HTTP headers), body limit
 * (`grpc.max_receive_message_length`: RESOURCE_EXHAUSTED beyond it) and partial success.
 * Status codes: INVALID_ARGUMENT for data that cannot be decoded (not retried), UNAUTHENTICATED,
 * UNAVAILABLE with a RetryInfo under backpressure or while draining (retried after the delay),
 * gzip as grpc-js negotiates it. Messages are handed over as raw bytes: no second decoder.
 */

export interface GrpcReceiverOptions {
  readonly host: string;
  readonly port: number;
  readonly maxMessageBytes: number;
  readonly retryAfterSeconds: number;
  readonly auth?: ReceiverAuth;
}

export interface GrpcReceiverStats {
  /** Calls answered, by `method code` ("TraceService/Export OK"). */
  readonly calls: Readonly<Record<string, number>>;
  readonly spansAccepted: number;
  readonly spansRejected: number;
  readonly logRecordsAccepted: number;
}

const raw = (value: Buffer) => value;
const unary = (path: string) => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
});
const TRACE_SERVICE = { Export: unary('/opentelemetry.proto.collector.trace.v1.TraceService/Export') };
const LOGS_SERVICE = { Export: unary('/opentelemetry.proto.collector.logs.v1.LogsService/Export') };

export class OtlpGrpcReceiver {
  readonly #intake: ReceiverIntake;
  readonly #options: GrpcReceiverOptions;
  readonly #auth: RequestAuthenticator;
  readonly #server: grpc.Server;
  readonly #calls: Record<string, number> = Object.create(null);
  #spansAccepted = 0;
  #spansRejected = 0;
  #logRecordsAccepted = 0;
  #draining = false;

  constructor(intake: ReceiverIntake, options: GrpcReceiverOptions) {
    this.#intake = intake;
    this.#options = options;
    this.#auth = new RequestAuthenticator(options.auth);
    this.#server = new grpc.Server({ 'grpc.max_receive_message_length': options.maxMessageBytes });
    this.#server.addService(TRACE_SERVICE as unknown as grpc.ServiceDefinition, { Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => this.#traces(call, done) });
    this.#server.addService(LOGS_SERVICE as unknown as grpc.ServiceDefinition, { Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => void this.#logs(call, done) });
  }

  /** Binds (port 0 picks a free one); resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const host = this.#options.host.includes(':') ? `[${this.#options.host}]` : this.#options.host;
      this.#server.bindAsync(`${host}:${this.#options.port}`, grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port)));
    });
  }

  /** New calls get UNAVAILABLE (retried later, elsewhere); calls in flight finish; then the server stops. */
  async drain(): Promise<void> {
    this.#draining = true;
    await new Promise<void>((resolve) => this.#server.tryShutdown(() => resolve()));
  }

  stats(): GrpcReceiverStats {
    return { calls: { ...this.#calls }, spansAccepted: this.#spansAccepted, spansRejected: this.#spansRejected, logRecordsAccepted: this.#logRecordsAccepted };
  }

  #traces(call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>): void {
    const answer = this.#answer('TraceService/Export', done);
    try {
      const refused = this.#refusal(call.metadata);
      if (refused) return answer(refused);
      let decoded;
      try {
        decoded = decodeTraceRequest(call.request, 'protobuf');
      } catch (error) {
        if (!(error instanceof OtlpDecodeError)) throw error;
        return answer({ code: grpc.status.INVALID_ARGUMENT, details: `invalid OTLP protobuf ExportTraceServiceRequest: ${error.message}` });
      }
      if (decoded.spans.length > 0) {
        const outcome = this.#intake.acceptSpans(decoded.spans, call.request.byteLength);
        if (!outcome.accepted) return answer(this.#retryLater(outcome.message));
      }
      this.#spansAccepted += decoded.spans.length;
      this.#spansRejected += decoded.rejected.length;
      answer(null, Buffer.from(encodeExportTraceResponse('protobuf', partialSuccessOf(decoded.rejected))));
    } catch (error) {
      answer({ code: grpc.status.INTERNAL, details: `receiver error: ${(error as Error).message}` });
    }
  }

  async #logs(call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>): Promise<void> {
    const answer = this.#answer('LogsService/Export', done);
    try {
      const refused = this.#refusal(call.metadata);
      if (refused) return answer(refused);
      let decoded;
      try {
        decoded = decodeLogsRequest(call.request, 'protobuf');
      } catch (error) {
        if (!(error instanceof OtlpDecodeError)) throw error;
        return answer({ code: grpc.status.INVALID_ARGUMENT, details: `invalid OTLP protobuf ExportLogsServiceRequest: ${error.message}` });
      }
      // Relayed to the upstream's logs endpoint in the forwarding protocol (grpc-js has already inflated it).
      const result = await this.#intake.acceptLogs(decoded, call.request, 'application/x-protobuf');
      if (result.status >= 200 && result.status < 300) {
        this.#logRecordsAccepted += decoded.records.length;
        return answer(null, Buffer.from(encodeExportLogsResponse('protobuf', partialSuccessOf(decoded.rejected, 'log records could not be read (forwarded as received, not evaluated)'))));
      }
      if (result.status === 429 || result.status === 503) return answer(this.#retryLater(`logs upstream answered ${result.status}`, result.retryAfterMs));
      answer({ code: grpc.status.UNAVAILABLE, details: `logs upstream answered ${result.status}` });
    } catch (error) {
      answer({ code: grpc.status.INTERNAL, details: `receiver error: ${(error as Error).message}` });
    }
  }

  /** Draining or unauthenticated: the call is refused before its message is decoded. */
  #refusal(metadata: grpc.Metadata): Partial<grpc.StatusObject> | undefined {
    if (this.#draining) return this.#retryLater('shutting down');
    const denied = this.#auth.check(headersOf(metadata));
    return denied === undefined ? undefined : { code: grpc.status.UNAUTHENTICATED, details: `unauthenticated: ${denied}` };
  }

  /** UNAVAILABLE with a RetryInfo (OTLP/gRPC "Throttling"): the client waits that long, then retries. */
  #retryLater(message: string, retryAfterMs?: number): Partial<grpc.StatusObject> {
    const seconds = Math.max(1, Math.ceil((retryAfterMs ?? this.#options.retryAfterSeconds * 1000) / 1000));
    const metadata = new grpc.Metadata();
    metadata.set('grpc-status-details-bin', retryInfoStatus(grpc.status.UNAVAILABLE, message, seconds));
    return { code: grpc.status.UNAVAILABLE, details: message, metadata };
  }

  #answer(method: string, done: grpc.sendUnaryData<Buffer>) {
    return (error: Partial<grpc.StatusObject> | null, value?: Buffer) => {
      const code = error ? grpc.status[error.code ?? grpc.status.UNKNOWN] : 'OK';
      const key = `${method} ${code}`;
      this.#calls[key] = (this.#calls[key] ?? 0) + 1;
      done(error as grpc.ServerErrorResponse | null, value);
    };
  }
}

/** Metadata as the header map the HTTP auth reads (lower-case names; binary values left out). */
function headersOf(metadata: grpc.Metadata): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(metadata.getMap())) if (typeof value === 'string') headers[name.toLowerCase()] = value;
  return headers;
}
