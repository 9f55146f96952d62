import type { CliCommand } from '../cli-command.ts';
import { checkCommand } from './check.ts';
import { collectCommand } from './collect.ts';
import { compareCommand } from './compare.ts';
import { datasetCommand } from './dataset.ts';
import { evalCommand } from './eval.ts';
import { coverageCommand } from './coverage.ts';
import { driftCommand } from './drift.ts';
import { harvestCommand } from './harvest.ts';
import { reviewCommand } from './review.ts';

/** Every `tracejudge` subcommand. A new one is a file in this folder and a line here. */
export const commands: readonly CliCommand[] = [checkCommand, collectCommand, reviewCommand, harvestCommand, coverageCommand, driftCommand, evalCommand, compareCommand, datasetCommand];
