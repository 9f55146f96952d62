import { open, stat, writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ConfigError } from '../../config/index.ts';
import type { TracejudgeConfig } from '../../config/index.ts';
import { JudgeConfigError } from '../../judge/index.ts';
import { SamplingSettingsError } from '../../sampling/index.ts';
import { anyRejected, formatSummary } from '../check/check-summary.ts';
import { OnlineCheck } from '../check/online-check.ts';
import { runCheck } from '../check/run-check.ts';
import type { CheckInput } from '../check/run-check.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { CliUsageError, ExitCode, repeatable } from '../cli-command.ts';
import { cliConfig, cliPipelineOptions } from '../cli-config.ts';

interface CheckFlags {
  readonly in: readonly string[];
  readonly out: string;
  readonly outLogs?: string;
  readonly config?: string;
  readonly summaryJson?: string;
}

const STDIO = '-';

async function openInput(path: string, io: CliIo): Promise<AsyncIterable<Buffer | string>> {
  if (path === STDIO) return io.stdin;
  // Opened before anything else, so a missing file fails before the output is truncated.
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new CliUsageError(`cannot read --in ${path}: ${error.code ?? error.message}`);
  });
  return handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
}

/**
 * Large chunks both ways: with the streams' defaults (64 KiB reads, a 16 KiB write buffer) every
 * ~100 KB line waited for its write to drain and the input came in hundreds of thread-pool round
 * trips — a tenth of a run spent idle (bench/check-cli.ts, profiled).
 */
const READ_CHUNK_BYTES = 1 << 20;
const WRITE_BUFFER_BYTES = 8 << 20;

/** Each `--in`, checked readable now; a file is opened again for each pass over it. */
async function inputsOf(paths: readonly string[], io: CliIo): Promise<CheckInput[]> {
  if (paths.filter((path) => path === STDIO).length > 1) throw new CliUsageError('--in - (stdin) can be given once');
  const inputs: CheckInput[] = [];
  for (const path of paths) {
    const first = await openInput(path, io);
    let opened: AsyncIterable<Buffer | string> | undefined = first;
    inputs.push({
      name: path,
      reopenable: path !== STDIO,
      open: async () => {
        const stream = opened ?? (await openInput(path, io));
        opened = undefined;
        return stream;
      },
    });
  }
  return inputs;
}

async function refuseSameFile(input: string, output: string, flag: string): Promise<void> {
  if (input === STDIO || output === STDIO) return;
  const [a, b] = await Promise.all([stat(input), stat(output).catch(() => undefined)]);
  if (b !== undefined && a.dev === b.dev && a.ino === b.ino) {
    throw new CliUsageError(`--in and ${flag} are the same file (${input}); writing would destroy the input`);
  }
}

async function openOutput(path: string, io: CliIo, flag = '--out'): Promise<Writable> {
  if (path === STDIO) return io.stdout;
  const handle = await open(path, 'w').catch((error: NodeJS.ErrnoException) => {
    throw new CliUsageError(`cannot write ${flag} ${path}: ${error.code ?? error.message}`);
  });
  return handle.createWriteStream({ highWaterMark: WRITE_BUFFER_BYTES });
}

/** Sampling and the judge as the config says; built before any file is opened, so a bad section changes nothing. */
async function startOnline(config: TracejudgeConfig): Promise<OnlineCheck> {
  try {
    return await OnlineCheck.start(config);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof SamplingSettingsError || error instanceof JudgeConfigError) throw new CliUsageError(error.message);
    throw error;
  }
}

async function check(flags: CheckFlags, io: CliIo): Promise<number> {
  // commander counts the repeatable flag's empty default as given.
  if (flags.in.length === 0) throw new CliUsageError("required option '--in <file>' not specified");
  const config = await cliConfig(flags.config);
  const pipeline = cliPipelineOptions(config);
  // Without --config: the inline checks only, as before. With it: the whole pipeline (Issue 3 §5).
  const online = flags.config !== undefined ? await startOnline(config) : undefined;
  let inputs, output, logsOutput: Writable | undefined;
  try {
    inputs = await inputsOf(flags.in, io);
    for (const path of flags.in) {
      await refuseSameFile(path, flags.out, '--out');
      if (flags.outLogs !== undefined) await refuseSameFile(path, flags.outLogs, '--out-logs');
    }
    if (flags.outLogs !== undefined && flags.outLogs !== STDIO && flags.outLogs === flags.out) {
      throw new CliUsageError('--out-logs is the --out file; leave --out-logs out to write logs lines to --out');
    }
    output = await openOutput(flags.out, io);
    if (flags.outLogs !== undefined) logsOutput = await openOutput(flags.outLogs, io, '--out-logs');
  } catch (error) {
    await online?.abandon();
    throw error;
  }
  const summary = await runCheck({
    input: inputs,
    output,
    ...(logsOutput && { logsOutput }),
    diagnostics: io.stderr,
    pipeline,
    resultLogs: config.events.logs,
    ...(online && { online }),
  });
  for (const stream of [output, logsOutput]) {
    if (stream === undefined || stream === io.stdout) continue;
    stream.end();
    await finished(stream);
  }
  io.stderr.write(formatSummary(summary));
  if (flags.summaryJson !== undefined) {
    await writeFile(flags.summaryJson, `${JSON.stringify(summary, null, 2)}\n`).catch((error: NodeJS.ErrnoException) => {
      throw new CliUsageError(`cannot write --summary-json ${flags.summaryJson}: ${error.code ?? error.message}`);
    });
  }
  return anyRejected(summary) ? ExitCode.REJECTED : ExitCode.OK;
}

export const checkCommand: CliCommand = {
  name: 'check',
  register(program, io, run) {
    program
      .command('check')
      .description(
        'evaluate spans from OTLP/JSON lines (the OTel Collector file exporter format: one ExportTraceServiceRequest, ' +
          'or one ExportLogsServiceRequest, per line) and write them back with gen_ai.evaluation.result events ' +
          '(deterministic results already on a span are replaced, so running it again does not double them); ' +
          'GenAI content in log records (the official OpenAI instrumentation) is joined to its spans',
      )
      .option('--in <file>', 'input file, "-" for stdin; required (repeatable: the file exporter writes traces and logs to separate files)', repeatable, [])
      .requiredOption('--out <file>', 'output file, "-" for stdout: the trace lines with their events, and logs lines unless --out-logs')
      .option('--out-logs <file>', 'write logs lines here instead of --out: the input\'s, unchanged, and results as log-based events')
      .option(
        '--config <file>',
        'tracejudge config (YAML or JSON); with it the whole pipeline runs: a sampling decision on every turn span and, with a ' +
          'judge section, the judge on sampled conversations (results as events on the held span, or on evaluate child spans ' +
          'written as extra lines at the end)',
      )
      .option('--summary-json <file>', 'also write the summary as JSON')
      .addHelpText(
        'after',
        '\nExit codes: 0 every line accepted, 2 some line or span rejected (listed on stderr), 1 usage or config error.',
      )
      .action(async (flags: CheckFlags) => {
        run.exitCode = await check(flags, io);
      });
  },
};
