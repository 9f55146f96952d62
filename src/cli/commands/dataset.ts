import { readFile } from 'node:fs/promises';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { CliUsageError } from '../cli-command.ts';
import { appendRows, DatasetError, DEFAULT_DATASET_DIR, listDatasets, loadDataset, parseRows } from '../../offline/index.ts';

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DatasetError) throw new CliUsageError(error.message);
    throw error;
  }
}

/** `--datasets-dir`, the name every command uses; `--dir`, the name `dataset` had first (kept as an alias). */
interface DirFlags {
  readonly datasetsDir?: string;
  readonly dir?: string;
}

function datasetsDir(flags: DirFlags): string {
  if (flags.datasetsDir !== undefined && flags.dir !== undefined && flags.datasetsDir !== flags.dir) {
    throw new CliUsageError(`--datasets-dir ${flags.datasetsDir} and --dir ${flags.dir} disagree; give one (--dir is an alias)`);
  }
  return flags.datasetsDir ?? flags.dir ?? DEFAULT_DATASET_DIR;
}

async function add(name: string, file: string, flags: DirFlags & { source?: string; trace?: string }, io: CliIo): Promise<void> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CliUsageError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const raw: unknown[] = [];
  const problems: { line: number; message: string }[] = [];
  for (const [index, line] of lines.entries()) {
    try {
      const row = JSON.parse(line) as Record<string, unknown>;
      if (flags.source && row.provenance === undefined) row.provenance = { source: flags.source, ...(flags.trace ? { traceId: flags.trace } : {}) };
      raw.push(row);
    } catch (error) {
      problems.push({ line: index + 1, message: `not JSON (${(error as Error).message})` });
    }
  }
  if (problems.length > 0) throw new CliUsageError(new DatasetError(`nothing appended: ${file} has lines that are not JSON`, problems).message);
  const dataset = await guarded(() => appendRows(name, raw as never[], datasetsDir(flags)));
  io.stdout.write(`${dataset.name}: ${dataset.rows.length} rows, version ${dataset.version} (${raw.length} added)\n`);
}

export const datasetCommand: CliCommand = {
  name: 'dataset',
  register(program, io) {
    const dataset = program.command('dataset').description('append-only JSONL datasets under .tracejudge/datasets/');
    dataset
      .command('add')
      .description('append the rows of a JSONL file; an id already present is refused, nothing is rewritten')
      .argument('<name>', 'dataset name (or a .jsonl path)')
      .argument('<file>', 'JSONL file with the new rows')
      .option('--datasets-dir <dir>', `where named datasets live (default ${DEFAULT_DATASET_DIR})`)
      .option('--dir <dir>', 'alias of --datasets-dir')
      .option('--source <source>', 'provenance for rows without one: hand-written | harvested | generated')
      .option('--trace <id>', 'with --source harvested: the trace the rows came from')
      .action((name: string, file: string, flags: DirFlags & { source?: string; trace?: string }) => add(name, file, flags, io));
    dataset
      .command('show')
      .argument('<name>')
      .option('--datasets-dir <dir>', `where named datasets live (default ${DEFAULT_DATASET_DIR})`)
      .option('--dir <dir>', 'alias of --datasets-dir')
      .description('version, row count, tags and provenance of a dataset')
      .action(async (name: string, flags: DirFlags) => {
        const loaded = await guarded(() => loadDataset(name, datasetsDir(flags)));
        const tags = new Map<string, number>();
        const sources = new Map<string, number>();
        for (const row of loaded.rows) {
          for (const [key, value] of Object.entries(row.tags)) tags.set(`${key}=${value}`, (tags.get(`${key}=${value}`) ?? 0) + 1);
          sources.set(row.provenance.source, (sources.get(row.provenance.source) ?? 0) + 1);
        }
        io.stdout.write(`${loaded.name} (${loaded.path})\nversion ${loaded.version}, ${loaded.rows.length} rows\n`);
        io.stdout.write(`provenance: ${[...sources].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
        io.stdout.write(`tags:\n${[...tags].sort().map(([k, v]) => `  ${k}  ${v}`).join('\n')}\n`);
      });
    dataset
      .command('list')
      .option('--datasets-dir <dir>', `where named datasets live (default ${DEFAULT_DATASET_DIR})`)
      .option('--dir <dir>', 'alias of --datasets-dir')
      .description('datasets with their versions')
      .action(async (flags: DirFlags) => {
        const dir = datasetsDir(flags);
        const listings = await listDatasets(dir);
        if (listings.length === 0) io.stdout.write(`no datasets in ${dir}\n`);
        for (const listing of listings) io.stdout.write(`${listing.name}  ${listing.rows} rows  version ${listing.version}  ${listing.path}\n`);
      });
    dataset
      .command('validate')
      .argument('<file>')
      .description('check a JSONL file; every bad row is reported by line and field')
      .action(async (file: string) => {
        const { rows, problems } = parseRows(await readFile(file, 'utf8'));
        if (problems.length > 0) throw new CliUsageError(new DatasetError(`${file}: ${problems.length} invalid row(s), ${rows.length} valid`, problems).message);
        io.stdout.write(`${file}: ${rows.length} valid rows\n`);
      });
  },
};
