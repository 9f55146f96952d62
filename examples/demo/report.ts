import type { EvaluationResult } from '../../src/index.ts';
import type { ConversationLog, JudgeResult, SpanLog, TurnDecision } from './span-log.ts';
import type { Scenario } from './scenarios.ts';

/** The demo's console output: per conversation, then totals. Everything shown was read off the exported spans or the sinks. */

/** The decision that sampled the conversation (its first sampled turn), else its first turn's. */
export function conversationDecision(log: ConversationLog): TurnDecision | undefined {
  return log.decisions.find((decision) => decision.sampled) ?? log.decisions[0];
}

function describeDecision(decision: TurnDecision | undefined, configuredRates: ReadonlyMap<string, number>): string {
  if (!decision) return 'sampling: no decision recorded';
  const configured = configuredRates.get(decision.stratum);
  // Triggered decisions sample at rate 1; a hash-sampled stratum's rate is scaled by the budget's pacing.
  const paced = decision.reason !== 'stratum' && decision.sampled ? '' : configured !== undefined && decision.rate < configured ? ` (configured ${configured}, paced down by the judge budget)` : '';
  const rate = `rate ${decision.rate.toFixed(3)}${paced}`;
  return decision.sampled
    ? `sampling: SAMPLED — stratum ${decision.stratum}, ${rate}, reason ${decision.reason}`
    : `sampling: not sampled — stratum ${decision.stratum}, ${rate}`;
}

function describeJudgment(result: JudgeResult): string {
  if (result.error) return `${result.name} error ${result.error}`;
  return `${result.name} ${result.score?.toFixed(2) ?? '?'} ${result.label ?? ''}`.trim();
}

export function printConversation(scenario: Scenario, checks: readonly EvaluationResult[], log: ConversationLog, quiet: boolean, configuredRates: ReadonlyMap<string, number>): void {
  const decision = conversationDecision(log);
  if (quiet && !decision?.sampled) return;
  const failures = checks.filter((result) => result.label === 'fail' || result.error);
  const header = `${scenario.id}  [${scenario.vertical}, ${scenario.language}, ${scenario.turns.length} turns]`;
  if (failures.length === 0) console.log(`✔ ${header}: ${checks.length} commitment check(s), all grounded`);
  else {
    console.log(`✘ ${header}: ${failures.length} of ${checks.length} check(s) failed`);
    for (const result of failures) {
      const values = result.details?.ungrounded_values;
      console.log(`    ${result.name}: ${Array.isArray(values) ? values.join(', ') : (result.error?.message ?? '')}`);
    }
  }
  console.log(`    ${describeDecision(decision, configuredRates)}`);
  if (log.judged.length > 0) {
    const where = log.judged.every((result) => result.delivery === 'span_event') ? 'events on the held turn span' : 'on evaluate child spans';
    console.log(`    judge: ${log.judged.map(describeJudgment).join(' · ')}  (${where})`);
  }
}

export interface Totals {
  readonly scenarios: readonly Scenario[];
  readonly checks: ReadonlyMap<string, readonly EvaluationResult[]>;
  readonly spanLog: SpanLog;
  readonly budget: { readonly maxJudgeCostPerHour: number | null; readonly maxJudgeCostPerDay: number | null };
  readonly judgeModel: string;
  readonly standIn: boolean;
  readonly spansWent: string;
  readonly reviewFile: string;
  readonly tryCheck?: string;
}

export function printTotals(totals: Totals): void {
  const byStratum = new Map<string, { sampled: number; seen: number }>();
  const reasons = new Map<string, number>();
  let judgeResults = 0;
  let judgeErrors = 0;
  let lowScores = 0;
  let cost = 0;
  let failedConversations = 0;
  for (const scenario of totals.scenarios) {
    const log = totals.spanLog.of(scenario.id);
    const decision = conversationDecision(log);
    if ((totals.checks.get(scenario.id) ?? []).some((result) => result.label === 'fail')) failedConversations++;
    if (decision) {
      const entry = byStratum.get(decision.stratum) ?? { sampled: 0, seen: 0 };
      entry.seen++;
      if (decision.sampled) {
        entry.sampled++;
        reasons.set(decision.reason, (reasons.get(decision.reason) ?? 0) + 1);
      }
      byStratum.set(decision.stratum, entry);
    }
    for (const result of log.judged) {
      judgeResults++;
      if (result.error) judgeErrors++;
      else if (result.score !== undefined && result.score < 0.5) lowScores++;
      cost += result.costUsd;
    }
  }

  console.log(`\n${totals.scenarios.length} conversations, ${failedConversations} with ungrounded commitments.`);
  console.log('\nSampling (conversations sampled / seen, by the stratum of the deciding turn):');
  const width = Math.max(8, ...[...byStratum.keys()].map((name) => name.length));
  console.log(`  ${'stratum'.padEnd(width)}  sampled/seen`);
  for (const [stratum, { sampled, seen }] of byStratum) console.log(`  ${stratum.padEnd(width)}  ${String(sampled).padStart(3)}/${seen}`);
  console.log(`  reasons: ${[...reasons].map(([reason, count]) => `${reason} ${count}`).join(', ') || 'none'}`);

  const who = totals.standIn ? 'the scripted stand-in judge' : totals.judgeModel;
  console.log(`\nJudge (${who}): ${judgeResults} results (${judgeErrors} errors), ${lowScores} low scores (below 0.5) sent to ${totals.reviewFile}`);
  const ceilings = [
    totals.budget.maxJudgeCostPerHour !== null ? `${percent(cost, totals.budget.maxJudgeCostPerHour)} of the $${totals.budget.maxJudgeCostPerHour}/hour ceiling` : undefined,
    totals.budget.maxJudgeCostPerDay !== null ? `${percent(cost, totals.budget.maxJudgeCostPerDay)} of $${totals.budget.maxJudgeCostPerDay}/day` : undefined,
  ].filter(Boolean);
  console.log(`Judge cost: $${cost.toFixed(4)}${ceilings.length ? ` — ${ceilings.join(', ')}` : ''}`);
  console.log(`\nSpans: ${totals.spanLog.spans} ${totals.spansWent}, with the checks' and the judge's gen_ai.evaluation.result events.`);
  if (totals.tryCheck) console.log(`Try: ${totals.tryCheck}`);
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : 'n/a';
}
