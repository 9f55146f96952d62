import type { Command } from 'commander';
import type { Writable } from 'node:stream';

/** Where a command reads and writes; the process's streams, except in tests. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream & AsyncIterable<Buffer | string>;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** Exit codes of every subcommand (README, "Exit codes"): distinct, so CI can tell what happened. */
export const ExitCode = {
  OK: 0,
  /** A gate rule was violated with confidence: the candidate regressed. */
  GATE_FAILED: 1,
  /** Usage, config or input error: a bad flag or config, an unreadable dataset, rejected input lines. */
  USAGE: 2,
  /** Input was read, but some of it was rejected (listed on stderr): an input error. */
  REJECTED: 2,
  /** The agent or the run failed: rows whose agent threw or timed out, an error while running. */
  RUN_ERRORS: 3,
} as const;

/** What an action hands back to `main`. */
export interface CliRun {
  exitCode: number;
  /** The stderr diag logger installed for the command (its counts feed a closing summary). */
  diagnostics?: { summary(): string };
}

/** A subcommand: adds itself (options, action) to the program. One file each, listed in commands/index.ts. */
export interface CliCommand {
  readonly name: string;
  register(program: Command, io: CliIo, run: CliRun): void;
}

/** Bad invocation, config or input: the message is printed as is, the exit code is 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** commander option parser for a repeatable flag (`--gate A --gate B` → [A, B]). */
export const repeatable = (value: string, previous: string[]): string[] => [...previous, value];
