import { DatasetError, loadDataset } from '../../offline/dataset/index.ts';
import { coverage } from '../../review/index.ts';
import { listConversations } from '../../store/index.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { CliUsageError, ExitCode } from '../cli-command.ts';
import { durationFlag, openCliStore } from './review.ts';
import type { StoreFlags } from './review.ts';

interface CoverageFlags extends StoreFlags {
  dataset: string;
  datasetsDir?: string;
  since?: string;
  threshold?: string;
  top?: string;
}

async function run(flags: CoverageFlags, io: CliIo): Promise<number> {
  const threshold = flags.threshold === undefined ? 0.5 : Number(flags.threshold);
  if (!(threshold > 0 && threshold <= 1)) throw new CliUsageError(`--threshold expects a number in (0, 1], got ${JSON.stringify(flags.threshold)}`);
  const window = durationFlag(flags.since ?? '7d', '--since')!;
  let dataset;
  try {
    dataset = await loadDataset(flags.dataset, flags.datasetsDir);
  } catch (error) {
    if (error instanceof DatasetError) throw new CliUsageError(error.message);
    throw error;
  }
  const { store } = await openCliStore(flags);
  try {
    // One live input per conversation in the window, whatever its rows hold: the row with the most
    // user turns (a later turn's record holds the earlier ones), its cohort merged over the rows.
    const conversations = new Map<string, { turns: readonly string[]; cohort: Record<string, string> }>();
    for (const conversation of listConversations(store, { since: Date.now() - window })) {
      const seen = conversations.get(conversation.conversationId);
      if (!seen) conversations.set(conversation.conversationId, { turns: conversation.userMessages, cohort: { ...conversation.cohort } });
      else {
        if (conversation.userMessages.length > seen.turns.length) seen.turns = conversation.userMessages;
        Object.assign(seen.cohort, conversation.cohort);
      }
    }
    const report = coverage([...conversations.values()], dataset.rows.map((row) => row.input), { threshold, topClusters: flags.top ? Number(flags.top) : 5 });
    const untexted = report.withoutText > 0 ? ` (${report.withoutText} with no user text stored, counted uncovered)` : '';
    io.stdout.write(`coverage of ${dataset.name} (version ${dataset.version}) over ${report.total} live conversation(s)${untexted}: ${(report.share * 100).toFixed(1)}%\n`);
    for (const row of report.byCohort) io.stdout.write(`  ${row.cohort.padEnd(32)} ${String(row.covered).padStart(5)}/${String(row.total).padEnd(5)} ${(row.share * 100).toFixed(1)}%\n`);
    if (report.uncoveredClusters.length > 0) io.stdout.write('largest uncovered clusters:\n');
    for (const cluster of report.uncoveredClusters) io.stdout.write(`  ${cluster.size} input(s), e.g. ${cluster.examples.map((text) => JSON.stringify(text.slice(0, 80))).join(' | ')}\n`);
    return ExitCode.OK;
  } finally {
    store.close();
  }
}

export const coverageCommand: CliCommand = {
  name: 'coverage',
  register(program, io, state) {
    program
      .command('coverage')
      .description('share of recent live conversations with a near neighbour in a dataset (every user turn compared, MinHash over word shingles), per cohort')
      .requiredOption('--dataset <name>', 'the dataset (name or path)')
      .option('--datasets-dir <dir>', 'where named datasets live (default .tracejudge/datasets)')
      .option('--store <file>', 'the store (default: store.path of --config, $TRACEJUDGE_STORE_PATH, or .tracejudge/tracejudge.db)')
      .option('--config <file>', 'tracejudge config (YAML or JSON) naming the store; --store wins')
      .option('--since <duration>', 'window of live conversations (default 7d)')
      .option('--threshold <jaccard>', 'estimated Jaccard similarity that counts as a near neighbour (default 0.5)')
      .option('--top <n>', 'how many uncovered clusters to list (default 5)')
      .action(async (flags: CoverageFlags) => {
        state.exitCode = await run(flags, io);
      });
  },
};
