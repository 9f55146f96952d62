import type { Command } from 'commander';
import type { Writable } from 'node:stream';

/** Where a command reads and writes; the process's streams, except in tests. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream & AsyncIterable<Buffer | string>;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** Exit codes of every subcommand. */
export const ExitCode = {
  OK: 0,
  /** Usage or config errors: nothing was processed. */
  USAGE: 1,
  /** Processed, but some input was rejected (reported on stderr). */
  REJECTED: 2,
} as const;

/** What an action hands back to `main`. */
export interface CliRun {
  exitCode: number;
}

/** A subcommand: adds itself (options, action) to the program. One file each, listed in commands/index.ts. */
export interface CliCommand {
  readonly name: string;
  register(program: Command, io: CliIo, run: CliRun): void;
}

/** Bad invocation or config: the message is printed as is, the exit code is 1. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** commander option parser for a repeatable flag (`--gate A --gate B` → [A, B]). */
export const repeatable = (value: string, previous: string[]): string[] => [...previous, value];
