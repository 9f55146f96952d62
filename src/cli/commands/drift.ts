import { weekOverWeek } from '../../review/index.ts';
import type { WeightedScore } from '../../review/index.ts';
import { listConversations } from '../../store/index.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { CliUsageError, ExitCode } from '../cli-command.ts';
import { durationFlag, openCliStore } from './review.ts';
import type { StoreFlags } from './review.ts';

interface DriftFlags extends StoreFlags {
  since?: string;
}

const fixed = (value: number | undefined) => (value === undefined ? '    -' : value.toFixed(3));

async function run(flags: DriftFlags, io: CliIo): Promise<number> {
  const window = durationFlag(flags.since ?? '14d', '--since')!;
  if (window < 2 * 86_400_000) throw new CliUsageError(`--since must cover two periods of at least a day each, got ${JSON.stringify(flags.since)}`);
  const now = Date.now();
  const { store } = await openCliStore(flags);
  try {
    const scores: WeightedScore[] = listConversations(store, { since: now - window }).flatMap((conversation) =>
      conversation.scores
        .filter((score) => score.score !== undefined && score.source !== 'human')
        .map((score) => ({ evaluation: score.name, score: score.score!, weight: conversation.weight, recordedAt: conversation.recordedAt, cohort: conversation.cohort })),
    );
    // Two equal periods: with --since 14d, the last 7 days against the 7 before.
    const rows = weekOverWeek(scores, now, window / 2);
    io.stdout.write('evaluation          cohort                           previous  current  change  95% interval\n');
    for (const row of rows) {
      const interval = row.low === undefined ? '' : `[${row.low.toFixed(3)}, ${row.high!.toFixed(3)}]`;
      io.stdout.write(`${row.evaluation.padEnd(19)} ${row.cohort.padEnd(32)} ${fixed(row.previous?.mean).padStart(8)} ${fixed(row.current?.mean).padStart(8)} ${fixed(row.change).padStart(7)}  ${interval}${row.dropped ? '  DROPPED' : ''}\n`);
    }
    const dropped = rows.filter((row) => row.dropped);
    io.stdout.write(dropped.length ? `dropped: ${dropped.map((row) => `${row.evaluation} ${row.cohort}`).join('; ')}\n` : 'no cohort dropped significantly\n');
    return ExitCode.OK;
  } finally {
    store.close();
  }
}

export const driftCommand: CliCommand = {
  name: 'drift',
  register(program, io, state) {
    program
      .command('drift')
      .description('score means per evaluation and cohort, period over period, reweighted by sampling weight (Hájek), with 95% intervals')
      .option('--store <file>', 'the store (default: store.path of --config, $TRACEJUDGE_STORE_PATH, or .tracejudge/tracejudge.db)')
      .option('--config <file>', 'tracejudge config (YAML or JSON) naming the store; --store wins')
      .option('--since <duration>', 'the window, split into two equal periods (default 14d)')
      .action(async (flags: DriftFlags) => {
        state.exitCode = await run(flags, io);
      });
  },
};
