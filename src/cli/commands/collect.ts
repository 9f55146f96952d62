import { forwardConfigFromEnv } from '../../collector/forward-config-from-env.ts';
import { OtlpForwarder } from '../../collector/forwarder.ts';
import type { ReceiverAuth } from '../../collector/receiver-auth.ts';
import { CollectorService } from '../../collector/service.ts';
import { ConfigError } from '../../config/index.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { CliUsageError, ExitCode } from '../cli-command.ts';
import { cliConfig, cliPipelineOptions } from '../cli-config.ts';

interface CollectFlags {
  readonly config?: string;
  readonly listen: string;
  readonly forward?: string;
  readonly maxBodyBytes?: string;
}

/** Senders must present `Authorization: Bearer <this>` when set (kept out of argv: `ps` shows argv). */
const BEARER_TOKEN_VARIABLE = 'TRACEJUDGE_RECEIVER_BEARER_TOKEN';

/** `127.0.0.1:4318`, `[::1]:4318`, `:4318` (all interfaces is then explicit: `0.0.0.0:4318`). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new CliUsageError(`--listen expects HOST:PORT (e.g. 127.0.0.1:4318), got ${JSON.stringify(text)}`);
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

function positiveInteger(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) === 0) throw new CliUsageError(`${flag} expects a positive integer, got ${JSON.stringify(text)}`);
  return Number(text);
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

async function collect(flags: CollectFlags, io: CliIo): Promise<number> {
  const listen = parseListen(flags.listen);
  const maxBodyBytes = positiveInteger(flags.maxBodyBytes, '--max-body-bytes');
  const config = await cliConfig(flags.config);
  const pipeline = cliPipelineOptions(config);
  let forwardConfig;
  try {
    forwardConfig = forwardConfigFromEnv(process.env, { ...config.forward, ...(flags.forward !== undefined && { endpoint: flags.forward }) });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliUsageError(error.message);
    throw error;
  }
  const token = process.env[BEARER_TOKEN_VARIABLE];
  const auth: ReceiverAuth | undefined = token ? { bearerToken: token } : undefined;
  const forwarder = new OtlpForwarder(forwardConfig);
  const service = new CollectorService({
    forwarder,
    pipeline,
    receiver: { ...listen, ...(auth && { auth }), ...(maxBodyBytes !== undefined && { maxBodyBytes }) },
    forwarderMaxQueuedSpans: forwardConfig.queue.maxSpans,
  });
  const signal = waitForSignal();
  let address;
  try {
    address = await service.start();
  } catch (error) {
    await forwarder.shutdown();
    throw new CliUsageError(`cannot listen on ${flags.listen}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  io.stderr.write(
    `tracejudge collect: listening on http://${host}:${address.port} (OTLP/HTTP /v1/traces, /v1/logs), ` +
      `forwarding to ${forwardConfig.endpoint}${auth ? ', bearer token required' : ''}\n`,
  );
  io.stderr.write(`tracejudge collect: ${await signal}: draining\n`);
  await service.stop();
  const { receiver, pipeline: evaluated, forwarder: forwarded } = service.stats();
  io.stderr.write(
    `tracejudge collect: stopped; ${receiver.spansAccepted} spans accepted, ${receiver.spansRejected} rejected, ` +
      `${evaluated.repliesChecked} replies checked, ${forwarded.forwardedSpans} spans forwarded\n`,
  );
  return ExitCode.OK;
}

export const collectCommand: CliCommand = {
  name: 'collect',
  register(program, io, run) {
    program
      .command('collect')
      .description(
        'run as an OTLP/HTTP receiver: evaluate every span that arrives and forward it, with its evaluation events, ' +
          'to an OTLP endpoint (SIGTERM / SIGINT drain and flush, then exit 0)',
      )
      .option('--config <file>', 'tracejudge config (YAML or JSON); its forward section sets the upstream')
      .option('--listen <host:port>', 'where to listen', '127.0.0.1:4318')
      .option('--forward <url>', 'OTLP/HTTP traces endpoint to forward to (else forward.endpoint or OTEL_EXPORTER_OTLP_*)')
      .option('--max-body-bytes <n>', 'request body limit after decompression (default 64 MiB)')
      .addHelpText('after', `\nAuth: set ${BEARER_TOKEN_VARIABLE} to require "Authorization: Bearer <token>" (401 without it).`)
      .action(async (flags: CollectFlags) => {
        run.exitCode = await collect(flags, io);
      });
  },
};
