import type { Scenario } from './scenarios.ts';

/**
 * The stand-in model's judge side: when no real model is configured, the
 * demo's LLM judge talks to the same scripted server. It recognises a judge
 * request by its structured-output `response_format` or tracejudge's judge
 * system prompt, reads the criterion and the transcript between the markers,
 * and answers with a scripted but sensible judgment: a low faithfulness /
 * policy score when an assistant message states a value the scenario marks
 * as made up (`hallucinates`), a high one otherwise. It does not think; it
 * shows where real judgments would land.
 */

interface ChatMessage {
  role: string;
  content?: unknown;
}

export interface JudgeRequest {
  readonly messages: ChatMessage[];
  readonly response_format?: { type?: string };
}

const JUDGE_PROMPT = 'You are an impartial evaluator';
const CRITERION = /^Criterion: ([a-z0-9_.-]+) —/m;
const TRANSCRIPT = /<<<TRANSCRIPT-([0-9a-f]+)>>>\n([\s\S]*)\n<<<END-TRANSCRIPT-\1>>>/;
/** The value at the start of a `hallucinates` note: "$180 (two haircuts…)", "17:30 (…)", "the $25 goodwill credit". */
const NOTED_VALUE = /[$€]?\s?\d[\d.,:]*(?:\s?(?:€|PM|AM))?/;

export function isJudgeRequest(body: JudgeRequest): boolean {
  const system = body.messages[0]?.role === 'system' ? String(body.messages[0].content ?? '') : '';
  return body.response_format?.type === 'json_schema' || system.startsWith(JUDGE_PROMPT);
}

/** Made-up values by scenario, from the scripts' `hallucinates` notes. */
export function madeUpValues(scenarios: readonly Scenario[]): string[] {
  const values: string[] = [];
  for (const scenario of scenarios) {
    for (const turn of scenario.turns) {
      const value = turn.hallucinates && notedValue(turn.hallucinates);
      if (value) values.push(value);
    }
  }
  return values;
}

/** The made-up value a `hallucinates` note starts with ("$180 (two haircuts …)" → "$180"). */
export function notedValue(note: string): string | undefined {
  return NOTED_VALUE.exec(note)?.[0].trim() || undefined;
}

interface Judgment {
  readonly reasoning: string;
  readonly score: number;
  readonly label: string;
}

/** Assistant text of the transcript the judge was sent (JSON between the nonce markers). */
function assistantText(user: string): string {
  const match = TRANSCRIPT.exec(user);
  if (!match) return '';
  try {
    const texts: string[] = [];
    const visit = (value: unknown, assistant: boolean): void => {
      if (typeof value === 'string') {
        if (assistant) texts.push(value);
      } else if (Array.isArray(value)) value.forEach((item) => visit(item, assistant));
      else if (value !== null && typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) visit(item, assistant || key === 'assistant' || key === 'reply' || key === 'replies');
      }
    };
    visit(JSON.parse(match[2]), false);
    return texts.length > 0 ? texts.join('\n') : match[2];
  } catch {
    return match[2];
  }
}

export function judge(body: JudgeRequest, madeUp: readonly string[]): Judgment {
  const system = String(body.messages[0]?.content ?? '');
  const user = String(body.messages[1]?.content ?? '');
  const criterion = CRITERION.exec(system)?.[1] ?? 'unknown';
  const found = madeUp.find((value) => assistantText(user).includes(value));
  if (criterion === 'faithfulness') {
    return found
      ? { reasoning: `The assistant states ${found}, which no tool result or instruction supports.`, score: 1, label: 'unfaithful' }
      : { reasoning: 'Every value the assistant states matches a tool result.', score: 5, label: 'faithful' };
  }
  if (criterion === 'policy_compliance') {
    return found
      ? { reasoning: `The instructions allow only values a tool returned; ${found} was not.`, score: 2, label: 'violation' }
      : { reasoning: 'The assistant followed the system instructions.', score: 5, label: 'compliant' };
  }
  return { reasoning: 'The stand-in judge has no script for this criterion; a neutral score.', score: 3, label: labelsOf(system)[0] ?? 'ok' };
}

function labelsOf(system: string): string[] {
  const line = /^Label: exactly one of (.*)\.$/m.exec(system)?.[1] ?? '';
  return [...line.matchAll(/"([^"]+)"/g)].map((match) => match[1]);
}
