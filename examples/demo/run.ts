/**
 * `npm run demo`: a support agent in five verticals and three languages, run
 * through the real `openai` client with tracejudge's instrumentation and the
 * EvaluationSpanProcessor. Prints, per conversation, which checks failed and
 * on which values; the spans (with the evaluation events on them) go to
 * OTEL_EXPORTER_OTLP_ENDPOINT when set, else to out/demo-traces.jsonl.
 */
import { rmSync } from 'node:fs';
import OpenAI from 'openai';
import { instrumentOpenAI, otlpTraceExporterFromEnv, setupTracejudge } from '../../instrumentation/index.ts';
import { OtlpJsonFileExporter } from '../../instrumentation/otlp-file-exporter.ts';
import { EvaluationSpanProcessor } from '../../processors/index.ts';
import type { EvaluationResult } from '../../src/model/index.ts';
import type { EvaluationTarget } from '../../src/results/index.ts';
import { runScenario } from './agent.ts';
import { scenarios } from './scenarios.ts';
import { startStandInModel, type StandInModel } from './stand-in-model.ts';

const OUT_FILE = 'out/demo-traces.jsonl';

async function main(): Promise<void> {
  const useRealModel = Boolean(process.env.OPENAI_API_KEY || process.env.OPENAI_BASE_URL);
  let standIn: StandInModel | undefined;
  if (!useRealModel) {
    standIn = await startStandInModel();
    console.log(`No OPENAI_API_KEY / OPENAI_BASE_URL set: the model is a SCRIPTED STAND-IN on ${standIn.baseURL}`);
    console.log('(its answers are fixed in examples/demo/scenarios.ts, some with deliberate hallucinations).\n');
  }
  const model = process.env.DEMO_MODEL ?? (useRealModel ? 'gpt-4.1-mini' : 'standin-support-1');

  const toCollector = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (!toCollector) rmSync(OUT_FILE, { force: true });
  const exporter = toCollector ? otlpTraceExporterFromEnv() : new OtlpJsonFileExporter(OUT_FILE);

  const results = new Map<string, { target: EvaluationTarget; result: EvaluationResult }[]>();
  const tracing = setupTracejudge({
    serviceName: 'tracejudge-demo-support-agent',
    exporter,
    spanProcessors: (downstream) => [
      new EvaluationSpanProcessor({
        downstream,
        sinks: [
          {
            write(batch, target) {
              const list = results.get(target.conversationId) ?? [];
              for (const result of batch) list.push({ target, result });
              results.set(target.conversationId, list);
            },
          },
        ],
      }),
    ],
  });

  const client = instrumentOpenAI(
    new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'demo-stand-in', baseURL: standIn?.baseURL ?? process.env.OPENAI_BASE_URL, maxRetries: 1, timeout: 60_000 }),
    { captureMessageContent: true },
  );

  let failedConversations = 0;
  for (const scenario of scenarios) {
    await runScenario(scenario, { client, model });
    const failures = (results.get(scenario.id) ?? []).filter(({ result }) => result.label === 'fail' || result.error);
    const checked = (results.get(scenario.id) ?? []).length;
    const header = `${scenario.id}  [${scenario.vertical}, ${scenario.language}, ${scenario.turns.length} turns]`;
    if (failures.length === 0) {
      console.log(`✔ ${header}: ${checked} commitment check(s), all grounded`);
      continue;
    }
    failedConversations++;
    console.log(`✘ ${header}: ${failures.length} of ${checked} check(s) failed`);
    for (const { result } of failures) {
      const values = result.details?.ungrounded_values;
      const shown = Array.isArray(values) ? values.join(', ') : (result.error?.message ?? '');
      console.log(`    ${result.name}: ${shown}`);
    }
  }

  await tracing.shutdown();
  await standIn?.close();
  console.log(`\n${scenarios.length} conversations, ${failedConversations} with ungrounded commitments.`);
  console.log(toCollector ? `Spans exported to ${process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT}.` : `Spans with evaluation events written to ${OUT_FILE} (try: npx tracejudge check --in ${OUT_FILE} --out -).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
