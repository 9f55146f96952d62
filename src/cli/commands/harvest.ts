import { existsSync, readFileSync } from 'node:fs';
import { appendRows, contentVersion, DatasetError, loadDataset, resolveDatasetPath } from '../../offline/dataset/index.ts';
import { harvestLowest, harvestRows } from '../../review/index.ts';
import { listReviewItems, markApplied, StoreError } from '../../store/index.ts';
import type { TracejudgeStore } from '../../store/index.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { CliUsageError, ExitCode } from '../cli-command.ts';
import { durationFlag, openCliStore } from './review.ts';
import type { StoreFlags } from './review.ts';

interface HarvestFlags extends StoreFlags {
  lowest?: string;
  since?: string;
  evaluation?: string;
  stratum?: string;
  apply?: boolean;
  dataset?: string;
  datasetsDir?: string;
}

/** The dataset's rows and content version now; a dataset not yet created is empty at the version of "". */
async function currentDataset(name: string, dir: string | undefined): Promise<{ version: string; inputs: (string | string[])[] }> {
  try {
    const { path } = resolveDatasetPath(name, dir);
    if (!existsSync(path) || readFileSync(path, 'utf8').trim() === '') return { version: contentVersion(existsSync(path) ? readFileSync(path, 'utf8') : ''), inputs: [] };
    const dataset = await loadDataset(name, dir);
    return { version: dataset.version, inputs: dataset.rows.map((row) => row.input) };
  } catch (error) {
    if (error instanceof DatasetError) throw new CliUsageError(error.message);
    throw error;
  }
}

async function apply(store: TracejudgeStore, dataset: string, dir: string | undefined, io: CliIo): Promise<number> {
  const before = await currentDataset(dataset, dir);
  const items = listReviewItems(store, { status: 'decided', applied: false }).filter((item) => item.status !== 'rejected');
  // Optimistic concurrency: an item read against one version of the dataset is not applied to another.
  const stale = items.filter((item) => item.dataset === dataset && item.datasetVersion !== undefined && item.datasetVersion !== before.version);
  if (stale.length > 0) {
    throw new CliUsageError(
      `dataset ${dataset} changed since review item(s) ${stale.map((item) => item.id).join(', ')} were read ` +
        `(version ${stale[0]!.datasetVersion} then, ${before.version} now); nothing was appended — re-run 'tracejudge harvest --lowest … --dataset ${dataset}' to re-read it`,
    );
  }
  const { rows, duplicates, empty } = harvestRows(items, before.inputs, new Date().toISOString());
  if (rows.length === 0) {
    io.stdout.write(`nothing to add to ${dataset}: ${items.length} confirmed item(s), ${duplicates.length} already in the dataset, ${empty.length} without user input\n`);
    return ExitCode.OK;
  }
  const recheck = await currentDataset(dataset, dir);
  if (recheck.version !== before.version) throw new CliUsageError(`dataset ${dataset} changed while harvesting (version ${before.version} → ${recheck.version}); nothing was appended, run again`);
  let after;
  try {
    after = await appendRows(dataset, rows, dir);
  } catch (error) {
    if (error instanceof DatasetError) throw new CliUsageError(error.message);
    throw error;
  }
  const applied = items.filter((item) => !empty.includes(item));
  store.transaction('marking harvested items', () => {
    markApplied(store, applied.map((item) => item.id), dataset, after.version, Date.now());
    // Our own append moved the version: items still waiting for this dataset follow it (a foreign change does not).
    store.db.prepare('UPDATE review_items SET dataset_version = ? WHERE dataset = ? AND dataset_version = ? AND applied_at IS NULL').run(after.version, dataset, before.version);
  });
  io.stdout.write(`added ${rows.length} row(s) to ${dataset} (${after.path}), version ${before.version} → ${after.version}; ${duplicates.length} duplicate(s) skipped\n`);
  return ExitCode.OK;
}

async function harvest(flags: HarvestFlags, io: CliIo): Promise<number> {
  if (flags.apply && flags.lowest !== undefined) throw new CliUsageError('give either --lowest N (queue) or --apply (append to a dataset), not both');
  if (flags.apply && !flags.dataset) throw new CliUsageError('--apply needs --dataset NAME');
  if (!flags.apply && flags.lowest === undefined) throw new CliUsageError('give --lowest N to queue the weakest conversations, or --apply --dataset NAME');
  const { store } = await openCliStore(flags);
  try {
    if (flags.apply) return await apply(store, flags.dataset!, flags.datasetsDir, io);
    if (!/^\d+$/.test(flags.lowest!) || Number(flags.lowest) === 0) throw new CliUsageError(`--lowest expects a positive integer, got ${JSON.stringify(flags.lowest)}`);
    const window = durationFlag(flags.since ?? '7d', '--since')!;
    const now = Date.now();
    const dataset = flags.dataset ? { dataset: flags.dataset, datasetVersion: (await currentDataset(flags.dataset, flags.datasetsDir)).version } : {};
    const { considered, queued } = harvestLowest(store, {
      lowest: Number(flags.lowest), since: now - window, now, ...dataset,
      ...(flags.evaluation ? { evaluation: flags.evaluation } : {}),
      ...(flags.stratum ? { stratum: flags.stratum } : {}),
    });
    io.stdout.write(`queued ${queued} new review item(s) of the ${considered} weakest\n`);
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof StoreError) throw new CliUsageError(error.message);
    throw error;
  } finally {
    store.close();
  }
}

export const harvestCommand: CliCommand = {
  name: 'harvest',
  register(program, io, run) {
    program
      .command('harvest')
      .description('queue the weakest live conversations for review (--lowest), or append confirmed ones to a dataset (--apply)')
      .option('--store <file>', 'the store (default: store.path of --config, $TRACEJUDGE_STORE_PATH, or .tracejudge/tracejudge.db)')
      .option('--config <file>', 'tracejudge config (YAML or JSON) naming the store; --store wins')
      .option('--lowest <n>', 'how many of the lowest-scored conversations to queue')
      .option('--since <duration>', 'window of recorded conversations (default 7d)')
      .option('--evaluation <name>', 'only this evaluation')
      .option('--stratum <name>', 'only this sampling stratum')
      .option('--apply', 'append confirmed and relabelled items to --dataset (deduplicated by input)')
      .option('--dataset <name>', 'the dataset (name or path); with --lowest, its version is remembered and checked on --apply')
      .option('--datasets-dir <dir>', 'where named datasets live (default .tracejudge/datasets)')
      .action(async (flags: HarvestFlags) => {
        run.exitCode = await harvest(flags, io);
      });
  },
};
