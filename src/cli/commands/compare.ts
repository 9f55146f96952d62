import { writeFile } from 'node:fs/promises';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { CliUsageError, ExitCode, repeatable } from '../cli-command.ts';
import { cliConfig } from '../cli-config.ts';
import { ExperimentsStore } from '../../store/experiments-store.ts';
import { compareExperiments, CompareError, evaluateGate, renderReport } from '../../offline/index.ts';
import { adjustmentFrom, gateRulesFrom, reportTargets } from './eval.ts';

interface CompareFlags {
  readonly gate: string[];
  readonly report: string[];
  readonly config?: string;
  readonly store?: string;
  readonly sharedRows?: boolean;
  readonly seed: string;
  readonly adjust?: string;
  readonly verbose?: boolean;
}

async function compare(baselineName: string, candidateName: string, flags: CompareFlags, io: CliIo): Promise<number> {
  const config = await cliConfig(flags.config);
  const rules = gateRulesFrom(flags.gate, config, flags.config);
  const reports = reportTargets(flags.report);
  const adjust = adjustmentFrom(flags.adjust, config);
  const storePath = flags.store ?? config.offline.store;
  const store = new ExperimentsStore(storePath);
  try {
    const load = (name: string, role: string) => {
      const record = store.getExperiment(name);
      if (!record) throw new CliUsageError(`${role} experiment "${name}" does not exist in ${storePath}`);
      return { record, runs: store.loadRuns(name) };
    };
    const baseline = load(baselineName, 'baseline');
    const candidate = load(candidateName, 'candidate');
    let comparison;
    try {
      comparison = compareExperiments(baseline, candidate, { sharedRows: flags.sharedRows === true, seed: Number(flags.seed) });
    } catch (error) {
      if (error instanceof CompareError) throw new CliUsageError(error.message);
      throw error;
    }
    const gate = rules.length > 0 ? evaluateGate(comparison, rules, { adjust }) : undefined;
    const options = { verbose: flags.verbose === true };
    io.stdout.write(renderReport('text', comparison, gate, options));
    for (const { format, file } of reports) await writeFile(file, renderReport(format, comparison, gate, options));
    return gate && !gate.passed ? ExitCode.GATE_FAILED : ExitCode.OK;
  } finally {
    store.close();
  }
}


export const compareCommand: CliCommand = {
  name: 'compare',
  register(program, io, run) {
    program
      .command('compare')
      .description('compare two stored experiments (A = baseline, B = candidate) per evaluator and tag, paired on rows')
      .argument('<baseline>')
      .argument('<candidate>')
      .option('--gate <rule>', 'gate rule, repeatable (e.g. "*: max-drop 1.5%", "latency.p95: max-increase 20%"); replaces offline.gate of the config', repeatable, [])
      .option('--config <file>', 'tracejudge config: offline.gate and offline.store')
      .option('--report <format file...>', 'also write a report: md|json|html FILE (repeatable)', repeatable, [])
      .option('--shared-rows', 'compare on the rows both share even if the dataset versions differ')
      .option('--seed <n>', 'seed of the latency and cost ratio bootstraps', '20260101')
      .option('--adjust <method>', 'multiplicity adjustment within each gate rule: holm | bh | none (default: offline.gateAdjust, else holm)')
      .option('--verbose', 'every group and every gate check, not only what changed')
      .option('--store <file>', 'experiments database (default: offline.store, else .tracejudge/tracejudge.db)')
      .addHelpText('after', '\nExit codes: 0 no rule violated with confidence, 1 gate failed (a regression; table on stdout), 2 usage, config or input error.')
      .action(async (baseline: string, candidate: string, flags: CompareFlags) => {
        run.exitCode = await compare(baseline, candidate, flags, io);
      });
  },
};
