import { createOnlineStage } from '../../../processors/index.ts';
import type { OnlineStageParts } from '../../../processors/index.ts';
import { forwardConfigFromEnv } from '../../collector/forward/config-from-env.ts';
import { OtlpForwarder } from '../../collector/forward/forwarder.ts';
import { queueFileOf, StateDirError } from '../../collector/forward/queue-file.ts';
import { PersistentQueueError } from '../../collector/forward/persistent-queue.ts';
import { PrometheusEndpoint } from '../../collector/prometheus-endpoint.ts';
import { describeAuth, parseAuthHeaderFlag, receiverOptionsFrom } from '../../collector/receive/config.ts';
import type { ReceiverOverrides } from '../../collector/receive/config.ts';
import { resultLogsProvider } from '../../collector/forward/result-logs.ts';
import { CollectorService, GrpcListenError } from '../../collector/service.ts';
import { LogEventSink } from '../../results/index.ts';
import { ConfigError } from '../../config/index.ts';
import { JudgeConfigError } from '../../judge/index.ts';
import { SamplingSettingsError } from '../../sampling/index.ts';
import { DEFAULT_BEARER_TOKEN_ENV, parseListenAddress } from '../../config/receiver.ts';
import type { ListenAddress } from '../../config/receiver.ts';
import type { CliCommand, CliIo, CliRun } from '../cli-command.ts';
import { CliUsageError, ExitCode, repeatable } from '../cli-command.ts';
import { cliConfig, cliPipelineOptions } from '../cli-config.ts';

interface CollectFlags {
  readonly config?: string;
  readonly listen?: string;
  readonly forward?: string;
  readonly maxBodyBytes?: string;
  readonly maxInFlightBytes?: string;
  readonly authHeader: readonly string[];
  readonly metricsListen?: string;
  readonly stateDir?: string;
  readonly memoryQueue?: boolean;
  readonly grpcListen?: string;
}

function listenFlag(text: string, flag: string): ListenAddress {
  const parsed = parseListenAddress(text);
  if (parsed === undefined) throw new CliUsageError(`${flag} expects HOST:PORT (e.g. 127.0.0.1:4318), got ${JSON.stringify(text)}`);
  return parsed;
}

function positiveInteger(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) === 0) throw new CliUsageError(`${flag} expects a positive integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Flags win over the file's `receiver` section, field by field. */
function receiverOverrides(flags: CollectFlags): ReceiverOverrides {
  const authHeaders: Record<string, string> = {};
  for (const text of flags.authHeader) {
    const parsed = parseAuthHeaderFlag(text);
    if (parsed === undefined) {
      throw new CliUsageError(`--auth-header expects NAME=ENV_VAR (the variable holds the value), got ${JSON.stringify(text)}`);
    }
    authHeaders[parsed.header] = parsed.variable;
  }
  const maxBodyBytes = positiveInteger(flags.maxBodyBytes, '--max-body-bytes');
  const maxInFlightBytes = positiveInteger(flags.maxInFlightBytes, '--max-in-flight-bytes');
  return {
    ...(flags.listen !== undefined && { listen: listenFlag(flags.listen, '--listen') }),
    ...(maxBodyBytes !== undefined && { maxBodyBytes }),
    ...(maxInFlightBytes !== undefined && { maxInFlightBytes }),
    ...(flags.authHeader.length > 0 && { authHeaders }),
  };
}

function asUsageError<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StateDirError) throw new CliUsageError(error.message);
    throw error;
  }
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

const hostOf = (address: { address: string; family: string }) => (address.family === 'IPv6' ? `[${address.address}]` : address.address);

async function collect(flags: CollectFlags, io: CliIo, run: CliRun): Promise<number> {
  const overrides = receiverOverrides(flags);
  const metricsFlag = flags.metricsListen !== undefined ? listenFlag(flags.metricsListen, '--metrics-listen') : undefined;
  const config = await cliConfig(flags.config);
  const pipeline = cliPipelineOptions(config);
  const receiver = asUsageError(() => receiverOptionsFrom(config.receiver, process.env, overrides));
  const grpcListen = flags.grpcListen === undefined ? config.receiver.grpcListen : flags.grpcListen === 'off' ? 'off' : listenFlag(flags.grpcListen, '--grpc-listen');
  const fromEnv = asUsageError(() =>
    forwardConfigFromEnv(process.env, { ...config.forward, ...(flags.forward !== undefined && { endpoint: flags.forward }) }),
  );
  if (flags.memoryQueue && flags.stateDir !== undefined) throw new CliUsageError('give --state-dir (a persistent queue) or --memory-queue, not both');
  // Nothing accepted is lost by default: the forward queue lives in the state directory unless turned off.
  const queueFile = flags.memoryQueue ? undefined : asUsageError(() => queueFileOf(fromEnv.queue, flags.stateDir));
  const forwardConfig = { ...fromEnv, queue: { ...fromEnv.queue, persistPath: queueFile } };

  const metricsAt = metricsFlag ?? config.metrics.prometheus?.listen;
  const metrics = metricsAt && new PrometheusEndpoint(metricsAt);
  if (metrics) {
    const bound = await metrics.listen().catch(async (error: NodeJS.ErrnoException) => {
      await metrics.shutdown();
      throw new CliUsageError(`cannot serve metrics on ${metricsAt.host}:${metricsAt.port}: ${error.code ?? error.message}`);
    });
    io.stderr.write(`tracejudge collect: Prometheus metrics on http://${hostOf(bound)}:${bound.port}/metrics\n`);
  }
  const meterProvider = metrics ? metrics.meterProvider : undefined;
  // Results as log-based events go to the upstream's /v1/logs: those of late content always, all with events.logs.
  const resultLogs = resultLogsProvider(forwardConfig);
  const lateSinks = resultLogs ? [new LogEventSink({ loggerProvider: resultLogs, onError: (error) => io.stderr.write(`tracejudge collect: result log event failed: ${String(error)}\n`) })] : [];
  // Sampling decisions on every turn, and the judge when the config has a judge section.
  let service: CollectorService | undefined;
  let online: OnlineStageParts;
  try {
    online = await createOnlineStage(config, {
      conversationOfTrace: (traceId) => service?.conversationOfTrace(traceId),
      ...(meterProvider && { meter: meterProvider.getMeter('tracejudge') }),
      ...(resultLogs && { loggerProvider: resultLogs }),
    });
  } catch (error) {
    await resultLogs?.shutdown();
    await metrics?.shutdown();
    if (error instanceof ConfigError || error instanceof SamplingSettingsError || error instanceof JudgeConfigError) {
      throw new CliUsageError(error.message);
    }
    throw error;
  }
  let forwarder: OtlpForwarder;
  try {
    forwarder = new OtlpForwarder(forwardConfig, meterProvider ? { meterProvider } : {});
  } catch (error) {
    await online.close();
    await resultLogs?.shutdown();
    await metrics?.shutdown();
    // A queue file another collector holds, or one that is corrupt: said before anything is accepted.
    if (error instanceof PersistentQueueError) throw new CliUsageError(error.message);
    throw error;
  }
  service = new CollectorService({
    forwarder,
    // With events.logs the online stage's check sinks already hold a log-event sink (on resultLogs).
    pipeline: { ...pipeline, sinks: [...(pipeline.sinks ?? []), ...online.checkSinks], lateSinks: config.events.logs ? [] : lateSinks },
    joinWaitMs: config.join.waitMs,
    receiver,
    ...(grpcListen !== 'off' && { grpc: grpcListen }),
    forwarderMaxQueuedSpans: forwardConfig.queue.maxSpans,
    forwarderMaxQueuedBytes: forwardConfig.queue.maxBytes,
    stages: [online.stage],
    ...(meterProvider && { meterProvider }),
  });
  const signal = waitForSignal();
  let address;
  try {
    address = await service.start();
  } catch (error) {
    await forwarder.shutdown();
    await online.close();
    await resultLogs?.shutdown();
    await metrics?.shutdown();
    if (error instanceof GrpcListenError) throw new CliUsageError(`cannot listen for ${error.message}`);
    throw new CliUsageError(`cannot listen on ${receiver.host}:${receiver.port}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const judging = config.judge ? `, judging sampled conversations with ${config.judge.model}` : ', sampling decisions only (no judge section)';
  io.stderr.write(
    `tracejudge collect: listening on http://${hostOf(address)}:${address.port} (OTLP/HTTP /v1/traces, /v1/logs)` +
      `${service.grpcPort !== undefined && grpcListen !== 'off' ? ` and ${grpcListen.host.includes(':') ? `[${grpcListen.host}]` : grpcListen.host}:${service.grpcPort} (OTLP/gRPC traces and logs)` : ''}, ` +
      `forwarding to ${forwardConfig.endpoint}${forwardConfig.protocol === 'grpc' ? ' (OTLP/gRPC)' : ''}${receiver.auth ? `, ${describeAuth(receiver.auth)}` : ''}${judging}; ` +
      `${queueFile ? `forward queue on disk in ${queueFile}` : 'forward queue in memory only (--memory-queue): spans queued at a stop the upstream does not take are lost'}\n`,
  );
  io.stderr.write(`tracejudge collect: ${await signal}: draining\n`);
  await service.stop();
  await online.close();
  // Late content's results were emitted while the pipeline ran: flushed before the exit.
  await resultLogs?.shutdown();
  await metrics?.shutdown();
  const { receiver: http, grpc, pipeline: evaluated, forwarder: forwarded, join } = service.stats();
  const received = { ...http, spansAccepted: http.spansAccepted + (grpc?.spansAccepted ?? 0), spansRejected: http.spansRejected + (grpc?.spansRejected ?? 0), logRecordsAccepted: http.logRecordsAccepted + (grpc?.logRecordsAccepted ?? 0) };
  const content = evaluated.content;
  const dropped = Object.entries(forwarded.dropped).filter(([, count]) => count > 0);
  io.stderr.write(
    `tracejudge collect: stopped; ${received.spansAccepted} spans accepted, ${received.spansRejected} rejected, ` +
      `${evaluated.repliesChecked} replies checked, ${forwarded.forwardedSpans} spans forwarded` +
      `${dropped.length > 0 ? `, dropped ${dropped.map(([reason, count]) => `${reason}=${count}`).join(' ')}` : ''}\n`,
  );
  const diagnostics = run.diagnostics?.summary();
  if (diagnostics) io.stderr.write(`tracejudge collect: logged ${diagnostics}\n`);
  if (content.recordsReceived > 0 || join.spansWaitedFor > 0) {
    io.stderr.write(
      `tracejudge collect: content log records: ${received.logRecordsAccepted} log records accepted, ${content.recordsReceived} GenAI content records, ` +
        `${content.recordsJoined} joined to their spans, ${content.lateSpansEvaluated} spans evaluated late (results as log events), ` +
        `${content.recordsExpired} expired and ${content.recordsEvicted} evicted without their span; ` +
        `${join.spansWaitedFor} spans waited for content (${join.releasedWithContent} got it, ${join.releasedAtDeadline} at the ${config.join.waitMs} ms deadline, ` +
        `${join.releasedAtStop} at stop; p99 wait ${join.p99WaitMs} ms)\n`,
    );
  }
  return ExitCode.OK;
}


export const collectCommand: CliCommand = {
  name: 'collect',
  register(program, io, run) {
    program
      .command('collect')
      .description(
        'run as an OTLP receiver (HTTP and gRPC): evaluate every span that arrives and forward it, with its evaluation events, ' +
          'to an OTLP endpoint (SIGTERM / SIGINT drain and flush, then exit 0)',
      )
      .option(
        '--config <file>',
        'tracejudge config (YAML or JSON), every section it reads: receiver, forward, join, checks, conversations, sampling, judge, ' +
          'events, privacy, store, review, metrics; flags win over it (docs/configuration.md)',
      )
      .option('--listen <host:port>', 'where to listen for OTLP/HTTP (else receiver.listen, default 127.0.0.1:4318)')
      .option('--grpc-listen <host:port|off>', 'where to listen for OTLP/gRPC (else receiver.grpcListen, default 127.0.0.1:4317)')
      .option('--forward <url>', 'OTLP/HTTP traces endpoint to forward to (else forward.endpoint or OTEL_EXPORTER_OTLP_*)')
      .option('--max-body-bytes <n>', 'request body limit after decompression (else receiver.maxBodyBytes, default 64 MiB)')
      .option('--max-in-flight-bytes <n>', 'bytes of request bodies read at once before 503 (else receiver.maxInFlightBytes, default 256 MiB)')
      .option('--auth-header <name=ENV_VAR>', 'require header NAME with the value of variable ENV_VAR (repeatable)', repeatable, [])
      .option('--state-dir <dir>', 'where the forward queue keeps accepted spans across restarts (else forward.queue.stateDir, default .tracejudge/state)')
      .option('--memory-queue', 'keep the forward queue in memory only (forward.queue.persist: false): spans queued at a stop the upstream does not take in time are lost')
      .option('--metrics-listen <host:port>', 'serve Prometheus metrics on GET /metrics here (else metrics.prometheus.listen)')
      .addHelpText(
        'after',
        `\nAuth: set ${DEFAULT_BEARER_TOKEN_ENV} (or name another variable in receiver.auth.bearerTokenEnv) to require ` +
          '"Authorization: Bearer <token>"; --auth-header / receiver.auth.headers for other headers (401 without them). ' +
          'Secrets are read from variables, never from argv (ps shows argv).\n' +
          'Exit codes: 0 drained and stopped (SIGTERM / SIGINT), 2 usage or config error (nothing started).',
      )
      .action(async (flags: CollectFlags) => {
        run.exitCode = await collect(flags, io, run);
      });
  },
};
