import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import type { CliIo, CliRun } from './cli-command.ts';
import { CliUsageError, ExitCode } from './cli-command.ts';
import type { CliCommand } from './cli-command.ts';
import { commandsFor } from './commands/loaders.ts';
import { installStderrDiag, parseLogLevel } from './diag-stderr.ts';
import { diag, DiagLogLevel } from '@opentelemetry/api';

function packageVersion(): string {
  // From src/cli/main.ts the package root is two folders up; from dist/src/cli/main.js, three.
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tracejudge' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}

export function buildProgram(io: CliIo, run: CliRun, commands: readonly CliCommand[]): Command {
  const program = new Command('tracejudge')
    .description('Vendor-neutral evaluation of LLM agents on OpenTelemetry')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .option('--log-level <level>', 'OTel diag messages on stderr from this level: none, error, warn (default), info, debug, verbose, all (else OTEL_LOG_LEVEL)');
  // Every command's warnings and errors reach stderr (the forwarder, the store, the pipeline report through OTel diag).
  program.hook('preAction', () => {
    const flag = program.opts<{ logLevel?: string }>().logLevel;
    let level: DiagLogLevel;
    try {
      level = parseLogLevel(flag, '--log-level') ?? parseLogLevel(process.env.OTEL_LOG_LEVEL, 'OTEL_LOG_LEVEL') ?? DiagLogLevel.WARN;
    } catch (error) {
      throw new CliUsageError((error as Error).message);
    }
    run.diagnostics = installStderrDiag(io.stderr, level);
  });
  for (const command of commands) command.register(program, io, run);
  return program;
}

/** Runs `tracejudge` with `argv` (node, script, args…) and returns the exit code; never exits itself. */
export async function main(argv: readonly string[], io: CliIo = process): Promise<number> {
  const run: CliRun = { exitCode: ExitCode.OK };
  try {
    await buildProgram(io, run, await commandsFor(argv.slice(2))).parseAsync([...argv]);
    return run.exitCode;
  } catch (error) {
    return failed(error, io);
  } finally {
    // A command run in-process (the demo's loop) leaves no logger writing to its streams behind.
    if (run.diagnostics) diag.disable();
  }
}

function failed(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // --help / --version end with exit code 0; usage mistakes were already printed by commander.
    return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  }
  if (error instanceof CliUsageError) {
    io.stderr.write(`tracejudge: ${error.message}\n`);
    return ExitCode.USAGE;
  }
  // Anything else failed while running: said in one line, with the stack only when asked for.
  io.stderr.write(`tracejudge: ${error instanceof Error ? error.message : String(error)}\n`);
  if (process.env.TRACEJUDGE_DEBUG) io.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
  return ExitCode.RUN_ERRORS;
}

if (import.meta.main) {
  process.exitCode = await main(process.argv);
}
