/**
 * `npm run demo`: a support agent in five verticals and three languages, run
 * through the real `openai` client with tracejudge's instrumentation and the
 * package root's one-call `setupTracejudge` with examples/demo/tracejudge.yaml:
 * inline checks on every reply, a stratified sampling decision on every turn
 * (with live outlier triggers and a judge budget), and the LLM judge on the
 * sampled conversations, its results held onto the turn span they grade.
 * Prints, per conversation, the failed checks, the sampling decision and the
 * judge results, then a table per stratum, judge calls and cost against the
 * budget. The spans go to OTEL_EXPORTER_OTLP_ENDPOINT when set, else to
 * $TRACEJUDGE_DEMO_OUT/demo-traces.jsonl (default out/). Every evaluated reply lands in the
 * embedded store $TRACEJUDGE_DEMO_OUT/tracejudge.db; the last part runs the loop on it
 * (loop/loop.ts): harvest, review, dataset, and a gate on what production taught.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { instrumentOpenAI, otlpTraceExporterFromEnv } from '../../instrumentation/index.ts';
import { OtlpJsonFileExporter } from '../../instrumentation/otlp-file-exporter.ts';
import { setupTracejudge } from '../../src/index.ts';
import type { EvaluationResult } from '../../src/index.ts';
import { runScenario } from './agent.ts';
import { runLoop } from './loop/loop.ts';
import { printConversation, printTotals } from './report.ts';
import { routineScenarios, WARM_UP_CONVERSATIONS } from './routine-traffic.ts';
import { scenarios } from './scenarios.ts';
import { SpanLog } from './span-log.ts';
import { madeUpValues } from './stand-in-judge.ts';
import { startStandInModel, type StandInModel } from './stand-in-model.ts';

const OUT_DIR = process.env.TRACEJUDGE_DEMO_OUT || 'out';
const OUT_FILE = join(OUT_DIR, 'demo-traces.jsonl');
const STORE = join(OUT_DIR, 'tracejudge.db');
const DATASETS = join(OUT_DIR, 'datasets');
const CONFIG = join(import.meta.dirname, 'tracejudge.yaml');

async function main(): Promise<void> {
  const useRealModel = Boolean(process.env.OPENAI_API_KEY || process.env.OPENAI_BASE_URL);
  let standIn: StandInModel | undefined;
  if (!useRealModel) {
    standIn = await startStandInModel();
    console.log(`No OPENAI_API_KEY / OPENAI_BASE_URL set: the model is a SCRIPTED STAND-IN on ${standIn.baseURL}`);
    console.log('(its answers are fixed in examples/demo/scenarios.ts, some with deliberate hallucinations).');
    console.log('The LLM judge is the SCRIPTED STAND-IN too: it marks a conversation unfaithful when a reply contains a value');
    console.log('the script notes as made up (examples/demo/stand-in-judge.ts). Set OPENAI_API_KEY for real judgments.\n');
  }
  const model = process.env.DEMO_MODEL ?? (useRealModel ? 'gpt-4.1-mini' : 'standin-support-1');
  // The config reads these (${DEMO_JUDGE_*}): the stand-in server, or the real endpoint with your key.
  process.env.DEMO_JUDGE_MODEL ??= useRealModel ? 'gpt-4.1-mini' : 'standin-judge-1';
  process.env.DEMO_JUDGE_BASE_URL ??= standIn?.baseURL ?? process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
  process.env.DEMO_JUDGE_API_KEY ??= process.env.OPENAI_API_KEY ?? 'demo-stand-in';
  process.env.TRACEJUDGE_DEMO_OUT = OUT_DIR;

  const toCollector = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (!toCollector) rmSync(OUT_FILE, { force: true });
  rmSync(join(OUT_DIR, 'review-queue.jsonl'), { force: true });
  // Each run starts from an empty store and dataset, so the loop's numbers are this run's.
  for (const file of [STORE, `${STORE}-wal`, `${STORE}-shm`]) rmSync(file, { force: true });
  rmSync(DATASETS, { recursive: true, force: true });
  const spanLog = new SpanLog(toCollector ? otlpTraceExporterFromEnv() : new OtlpJsonFileExporter(OUT_FILE));

  const checks = new Map<string, EvaluationResult[]>();
  const telemetry = await setupTracejudge({
    serviceName: 'tracejudge-demo-support-agent',
    exporter: spanLog,
    config: CONFIG,
    sinks: [
      {
        write(batch, target) {
          const deterministic = batch.filter((result) => result.source === 'deterministic');
          checks.set(target.conversationId, [...(checks.get(target.conversationId) ?? []), ...deterministic]);
        },
      },
    ],
    batch: { scheduledDelayMillis: 200 },
    online: { cohortAttributes: ['app.vertical', 'app.language'], drainTimeoutMs: 30_000 },
  });

  const configuredRates = new Map(telemetry.config.sampling.strata.map((stratum) => [stratum.name, stratum.rate]));
  const client = instrumentOpenAI(
    new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'demo-stand-in', baseURL: standIn?.baseURL ?? process.env.OPENAI_BASE_URL, maxRetries: 1, timeout: 60_000 }),
    { captureMessageContent: true },
  );

  // Routine traffic first: it warms the outlier sketches, and only its sampled conversations are printed.
  console.log(`${WARM_UP_CONVERSATIONS} routine conversations warm the outlier sketches; the sampled ones and the two outliers are shown:`);
  const all = [...routineScenarios, ...scenarios];
  for (const scenario of all) {
    await runScenario(scenario, { client, model });
    // A demo prints each conversation's results in order: flushing waits for its judgment and exports
    // the held span. A service never needs this; spans leave on their own within holdMs.
    await telemetry.forceFlush();
    const quiet = scenario.flow === 'faq' && !scenario.id.startsWith('demo-outlier');
    printConversation(scenario, checks.get(scenario.id) ?? [], spanLog.of(scenario.id), quiet, configuredRates);
    if (scenario === routineScenarios.at(-1)) console.log('\nThe support conversations:');
  }

  await telemetry.shutdown();
  await standIn?.close();
  printTotals({
    scenarios: all,
    checks,
    spanLog,
    budget: telemetry.config.sampling.budget,
    judgeModel: telemetry.config.judge?.model ?? 'none',
    standIn: standIn !== undefined,
    spansWent: toCollector ? `exported to ${process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT}` : `written to ${OUT_FILE}`,
    reviewFile: join(OUT_DIR, 'review-queue.jsonl'),
    tryCheck: toCollector ? undefined : `npx tracejudge check --in ${OUT_FILE} --out -`,
  });

  console.log(`\nThe loop, on the store the live traffic filled (${STORE}): what failed in production becomes a gate.`);
  const loop = await runLoop({ storePath: STORE, datasetsDir: DATASETS, madeUp: madeUpValues(all) });
  for (const line of loop.lines) console.log(line);
  console.log('\nTry next:');
  for (const command of [
    `npx tracejudge review --store ${STORE} --all`,
    `npx tracejudge drift --store ${STORE} --since 2d`,
    `npx tracejudge coverage --store ${STORE} --dataset ${DATASETS}/regressions.jsonl --since 1d`,
    `npx tracejudge eval --agent examples/demo/loop/fixed-agent.ts --dataset ${DATASETS}/regressions.jsonl --experiment mine --baseline live-1.4.0 --store ${STORE} --gate "*: max-drop 1.5%"`,
  ]) console.log(`  ${command}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
