import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { CliUsageError, ExitCode, repeatable } from '../cli-command.ts';
import { cliConfig, cliPipelineOptions } from '../cli-config.ts';
import { parseDurationMs } from '../../config/index.ts';
import type { TracejudgeConfig } from '../../config/index.ts';
import { JudgeConfigError } from '../../judge/index.ts';
import { ExperimentsStore } from '../../store/experiments-store.ts';
import type { StoredRun } from '../../store/experiments-store.ts';
import {
  AgentModuleError, builtinReferenceEvaluators, compareExperiments, CompareError, DatasetError, evaluateGate, ExperimentError, GateRuleError, loadAgent, loadDataset,
  ADJUSTMENTS, experimentScores, offlineJudging, parseGateRules, renderReport, renderScores, REPORT_FORMATS, runExperiment,
} from '../../offline/index.ts';
import type { Adjustment, GateRule, OfflineJudging, ReportFormat, RunProgress } from '../../offline/index.ts';

interface EvalFlags {
  readonly agent: string;
  readonly dataset: string;
  readonly experiment: string;
  readonly baseline?: string;
  readonly repetitions?: string;
  readonly concurrency?: string;
  readonly timeout?: string;
  readonly gate: string[];
  readonly config?: string;
  readonly resume?: boolean;
  readonly report: string[];
  readonly store?: string;
  readonly sharedRows?: boolean;
  readonly adjust?: string;
  readonly verbose?: boolean;
  readonly datasetsDir?: string;
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function integer(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new CliUsageError(`${flag} must be a positive integer, got "${text}"`);
  return value;
}

function timeoutMs(text: string): number {
  const value = parseDurationMs(text);
  if (value === undefined || value <= 0) throw new CliUsageError(`--timeout must be a duration above 0 (60000, 30s, 2m), got "${text}"`);
  return value;
}

/**
 * Gate rules: `--gate` flags replace the config's `offline.gate`. A malformed
 * rule names where it came from (`--gate` or `offline.gate[i]` of the file).
 */
export function gateRulesFrom(flags: readonly string[], config: TracejudgeConfig, configPath: string | undefined): GateRule[] {
  if (flags.length > 0) return guardGate(() => parseGateRules(flags), '--gate');
  return config.offline.gate.flatMap((rule, index) => guardGate(() => parseGateRules([rule]), `invalid config ${configPath ?? '(TRACEJUDGE_OFFLINE_GATE)'}: offline.gate[${index}]`));
}

function guardGate(parse: () => GateRule[], where: string): GateRule[] {
  try {
    return parse();
  } catch (error) {
    if (error instanceof GateRuleError) throw new CliUsageError(`${where}: ${error.message}`);
    throw error;
  }
}

/** `--adjust`, else `offline.gateAdjust` of the config. */
export function adjustmentFrom(flag: string | undefined, config: TracejudgeConfig): Adjustment {
  if (flag === undefined) return config.offline.gateAdjust;
  if (!(ADJUSTMENTS as readonly string[]).includes(flag)) throw new CliUsageError(`--adjust expects holm, bh or none, got "${flag}"`);
  return flag as Adjustment;
}

/** Runs whose agent threw or timed out: how many, the first rows and their messages. */
export function failedRunLines(runs: readonly StoredRun[], experiment: string): string {
  const failed = runs.filter((run) => run.error !== undefined);
  if (failed.length === 0) return '';
  const rows = new Set(failed.map((run) => run.rowId));
  const first = failed.slice(0, 5).map((run) => `  ${run.rowId}${run.repetition > 0 ? ` (repetition ${run.repetition + 1})` : ''}: ${oneLine(run.error!)}`);
  const more = failed.length > first.length ? [`  … ${failed.length - first.length} more`] : [];
  return [`eval: ${failed.length} run(s) of "${experiment}" failed on ${rows.size} row(s) (the agent threw or timed out; run.ok scores them 0, other evaluators skip them):`, ...first, ...more].join('\n') + '\n';
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** `--report md FILE` pairs, as commander collects them: [format, file, format, file…]. */
export function reportTargets(values: readonly string[]): { format: ReportFormat; file: string }[] {
  if (values.length % 2 !== 0) throw new CliUsageError(`--report takes a format and a file (--report md summary.md), got "${values.join(' ')}"`);
  const targets = [];
  for (let i = 0; i < values.length; i += 2) {
    const format = values[i] as ReportFormat;
    if (!REPORT_FORMATS.includes(format) || format === 'text') throw new CliUsageError(`--report format must be md, json or html, got "${values[i]}"`);
    targets.push({ format, file: values[i + 1] });
  }
  return targets;
}

/** A bar with rate and ETA on a terminal; plain lines in CI or when stderr is not a TTY. */
function progressReporter(io: CliIo): { update(progress: RunProgress): void; stop(): void } {
  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true && !process.env.CI;
  if (tty) {
    const bar = new cliProgress.SingleBar({ stream: io.stderr as NodeJS.WriteStream, format: 'eval [{bar}] {value}/{total} runs | {errors} errors | {speed} runs/s | ETA {eta_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic);
    let started = false;
    const startedAt = performance.now();
    return {
      update(progress) {
        const speed = ((progress.done - progress.skipped) / Math.max(0.001, (performance.now() - startedAt) / 1000)).toFixed(1);
        if (!started) { bar.start(progress.total, progress.done, { errors: progress.errors, speed }); started = true; } else bar.update(progress.done, { errors: progress.errors, speed });
      },
      stop: () => bar.stop(),
    };
  }
  let lastTenth = -1;
  return {
    update(progress) {
      const tenth = Math.floor((progress.done / Math.max(1, progress.total)) * 10);
      if (tenth === lastTenth && progress.done !== progress.total) return;
      lastTenth = tenth;
      io.stderr.write(`eval: ${progress.done}/${progress.total} runs, ${progress.errors} errors\n`);
    },
    stop() {},
  };
}

function usageErrors<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof DatasetError || error instanceof AgentModuleError || error instanceof ExperimentError || error instanceof GateRuleError || error instanceof CompareError) {
      throw new CliUsageError(error.message);
    }
    throw error;
  });
}

async function evaluate(flags: EvalFlags, io: CliIo): Promise<number> {
  const config = await cliConfig(flags.config);
  const pipeline = cliPipelineOptions(config);
  // Flags over the config's `offline` section, which has the defaults.
  const repetitions = flags.repetitions !== undefined ? integer('--repetitions', flags.repetitions) : config.offline.repetitions;
  const concurrency = flags.concurrency !== undefined ? integer('--concurrency', flags.concurrency) : config.offline.concurrency;
  const timeout = flags.timeout !== undefined ? timeoutMs(flags.timeout) : config.offline.timeout;
  const storePath = flags.store ?? config.offline.store;
  const rules = gateRulesFrom(flags.gate, config, flags.config);
  const reports = reportTargets(flags.report);
  const adjust = adjustmentFrom(flags.adjust, config);
  if (flags.gate.length > 0 && flags.baseline === undefined) throw new CliUsageError('--gate needs --baseline NAME to compare with');
  let judging: OfflineJudging | undefined;
  try {
    judging = config.judge ? offlineJudging(config.judge) : undefined;
  } catch (error) {
    if (error instanceof JudgeConfigError) throw new CliUsageError(error.message);
    throw error;
  }
  const store = new ExperimentsStore(storePath);
  try {
    // Fail fast, before running anything: a missing baseline is a usage error.
    if (flags.baseline !== undefined && !store.getExperiment(flags.baseline)) {
      const known = store.listExperiments().map((e) => e.name);
      throw new CliUsageError(`baseline experiment "${flags.baseline}" does not exist in ${storePath}${known.length ? ` (known: ${known.slice(-10).join(', ')})` : ' (no experiments stored yet)'}`);
    }
    const dataset = await usageErrors(() => loadDataset(flags.dataset, flags.datasetsDir));
    const agent = await usageErrors(() => loadAgent(flags.agent));
    const interrupt = new AbortController();
    const onSigint = () => {
      io.stderr.write('\neval: interrupted; finished runs are stored, continue with --resume\n');
      interrupt.abort();
    };
    process.once('SIGINT', onSigint);
    const progress = progressReporter(io);
    const commit = gitCommit();
    const summary = await usageErrors(() =>
      runExperiment({ agent, agentModule: flags.agent, dataset, experiment: flags.experiment, store, repetitions, concurrency, timeoutMs: timeout,
        resume: flags.resume === true, pipeline, ...(commit ? { gitCommit: commit } : {}), signal: interrupt.signal, onProgress: (p) => progress.update(p),
        ...(judging ? { evaluators: [...builtinReferenceEvaluators, ...judging.referenceEvaluators], judges: judging.evaluators } : {}) }),
    ).finally(() => {
      progress.stop();
      process.removeListener('SIGINT', onSigint);
    });
    io.stderr.write(`eval: experiment "${summary.experiment}" ${summary.status}: ${summary.ran} run(s) now, ${summary.skipped} already stored, ${summary.errors} error(s), dataset ${dataset.name}@${dataset.version}\n`);
    if (judging) io.stderr.write(judgeCostLine(judging.cost(), store.loadRuns(summary.experiment)));
    if (summary.status === 'interrupted') return 130;
    const candidateRuns = store.loadRuns(summary.experiment);
    // An agent that throws is said, with the first rows and messages, and the exit code says so.
    io.stderr.write(failedRunLines(candidateRuns, summary.experiment));
    const runErrors = candidateRuns.some((run) => run.error !== undefined);
    if (flags.baseline === undefined) {
      if (rules.length > 0) io.stderr.write(`eval: ${rules.length} offline.gate rule(s) of the config not applied: no --baseline given\n`);
      const record = store.getExperiment(summary.experiment)!;
      const scores = experimentScores(record, candidateRuns);
      io.stdout.write(renderScores('text', scores));
      for (const { format, file } of reports) await writeFile(file, renderScores(format, scores));
      return runErrors ? ExitCode.RUN_ERRORS : ExitCode.OK;
    }
    const baseline = store.getExperiment(flags.baseline);
    const candidate = store.getExperiment(flags.experiment);
    if (!baseline || !candidate) throw new CliUsageError(`baseline "${flags.baseline}" disappeared from the store`);
    const comparison = await usageErrors(async () => compareExperiments({ record: baseline, runs: store.loadRuns(baseline.name) }, { record: candidate, runs: candidateRuns }, { sharedRows: flags.sharedRows === true }));
    const gate = rules.length > 0 ? evaluateGate(comparison, rules, { adjust }) : undefined;
    io.stdout.write(renderReport('text', comparison, gate, { verbose: flags.verbose === true }));
    for (const { format, file } of reports) await writeFile(file, renderReport(format, comparison, gate, { verbose: flags.verbose === true }));
    if (runErrors) {
      // The gate compared only the rows that ran: failed runs come first.
      if (gate && !gate.passed) io.stderr.write('eval: the gate failed too, on the rows that ran\n');
      return ExitCode.RUN_ERRORS;
    }
    return gate && !gate.passed ? ExitCode.GATE_FAILED : ExitCode.OK;
  } finally {
    store.close();
    await judging?.close();
  }
}


export const evalCommand: CliCommand = {
  name: 'eval',
  register(program, io, run) {
    program
      .command('eval')
      .description('run an agent over a dataset as a stored experiment; with --baseline, compare and gate')
      .requiredOption('--agent <module>', 'module exporting agent(input, context) => reply | { reply, toolCalls?, outcome?, metadata? }')
      .requiredOption('--dataset <file|name>', 'JSONL dataset file, or a name under .tracejudge/datasets/')
      .requiredOption('--experiment <name>', 'name to store the results under')
      .option('--datasets-dir <dir>', 'where named datasets live (default .tracejudge/datasets)')
      .option('--baseline <name>', 'stored experiment to compare with')
      .option('--repetitions <n>', 'runs per row (default: offline.repetitions of the config, else 1)')
      .option('--concurrency <n>', 'runs at once (default: offline.concurrency, else 4)')
      .option('--timeout <duration>', 'per-run timeout, ms or 30s / 2m; a run past it is recorded as an error (default: offline.timeout, else 60s)')
      .option('--gate <rule>', 'gate rule, repeatable (e.g. "tag:vertical=*: max-drop 1.5%"); replaces offline.gate of the config', repeatable, [])
      .option('--report <format file...>', 'also write a report: md|json|html FILE (repeatable)', repeatable, [])
      .option('--config <file>', 'tracejudge config (YAML or JSON): offline defaults, checks, judge rubrics')
      .option('--resume', 'continue a stored experiment (only missing runs are made)')
      .option('--shared-rows', 'compare on the rows both experiments share even if the dataset versions differ')
      .option('--store <file>', 'experiments database (default: offline.store, else .tracejudge/tracejudge.db)')
      .option('--adjust <method>', 'multiplicity adjustment within each gate rule: holm | bh | none (default: offline.gateAdjust, else holm)')
      .option('--verbose', 'every group and every gate check, not only what changed')
      .addHelpText('after', '\nWithout --baseline: the experiment\'s scores per evaluator and tag (and --report files of them).\nExit codes: 0 ok / gate passed, 1 gate failed (a regression), 2 usage, config or input error,\n3 agent or run errors (runs that threw or timed out; listed on stderr), 130 interrupted (finished runs stored; use --resume).')
      .action(async (flags: EvalFlags) => {
        run.exitCode = await evaluate(flags, io);
      });
  },
};

/** What the judge cost: this experiment's stored total (resumed runs included), and this process's tokens. */
function judgeCostLine(spent: ReturnType<OfflineJudging['cost']>, runs: readonly StoredRun[]): string {
  let usd = 0;
  let judgments = 0;
  for (const run of runs) {
    for (const result of run.results) {
      if (result.costUsd === undefined) continue;
      usd += result.costUsd;
      judgments++;
    }
  }
  const unpriced = spent.unpricedCalls > 0 ? `; ${spent.unpricedCalls} call(s) to a model without a price were not counted (add it under judge.prices)` : '';
  return `eval: judge cost $${usd.toFixed(4)} for ${judgments} priced judgment(s) stored with the experiment; this run sent ${spent.inputTokens} input + ${spent.outputTokens} output tokens${unpriced}\n`;
}
