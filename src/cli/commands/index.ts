import type { CliCommand } from '../cli-command.ts';
import { checkCommand } from './check.ts';
import { collectCommand } from './collect.ts';

/** Every `tracejudge` subcommand. A new one is a file in this folder and a line here. */
export const commands: readonly CliCommand[] = [checkCommand, collectCommand];
