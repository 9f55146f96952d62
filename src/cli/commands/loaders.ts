import type { CliCommand } from '../cli-command.ts';

/**
 * Each subcommand's module, loaded when it runs: `tracejudge check` does not load the collector's
 * gRPC server, the offline runner or the store (measured: ~150 ms of a ~0.8 s start). The order is
 * commands/index.ts's, which `--help` lists whole.
 */
export const commandLoaders: Readonly<Record<string, () => Promise<CliCommand>>> = {
  check: async () => (await import('./check.ts')).checkCommand,
  collect: async () => (await import('./collect.ts')).collectCommand,
  review: async () => (await import('./review.ts')).reviewCommand,
  harvest: async () => (await import('./harvest.ts')).harvestCommand,
  coverage: async () => (await import('./coverage.ts')).coverageCommand,
  drift: async () => (await import('./drift.ts')).driftCommand,
  eval: async () => (await import('./eval.ts')).evalCommand,
  compare: async () => (await import('./compare.ts')).compareCommand,
  dataset: async () => (await import('./dataset.ts')).datasetCommand,
};

/** Global options that take a value (their value is not the subcommand's name). */
const GLOBAL_OPTIONS_WITH_VALUE: ReadonlySet<string> = new Set(['--log-level']);

/** The subcommand `args` (after node and the script) run, when it names a known one; else every command is needed (help, usage errors). */
export function subcommandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return Object.hasOwn(commandLoaders, arg) ? arg : undefined;
  }
  return undefined;
}

/** The commands a run needs: the one it names, or all of them. */
export async function commandsFor(args: readonly string[]): Promise<readonly CliCommand[]> {
  const name = subcommandOf(args);
  if (name !== undefined) return [await commandLoaders[name]()];
  return (await import('./index.ts')).commands;
}
