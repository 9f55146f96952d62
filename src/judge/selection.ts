import { App } from '../model/attributes.ts';
import type { OutcomeSignals } from '../model/span-view.ts';
import type { EvaluationTarget } from './evaluator.ts';
import type { Rubric } from './rubric.ts';

/** When a selection rule applies: the sampling stratum, or a cohort / outcome attribute value. */
export type RubricCondition =
  | { readonly stratum: string }
  | { readonly attribute: string; readonly equals: string | number | boolean };

/**
 * Extra rubrics for some conversations (config `judge.select`). Rubrics of every
 * matching rule are added to the base list; a matching rule with `replace: true`
 * drops the base list instead (e.g. only `escalation` for the escalations stratum).
 */
export interface RubricSelectionRule<R = string> {
  readonly when: RubricCondition;
  readonly rubrics: readonly R[];
  readonly replace?: boolean;
}

export interface RubricSelection {
  readonly base: readonly Rubric[];
  readonly rules: readonly RubricSelectionRule<Rubric>[];
}

/** Outcome signals are addressable by their attribute names, like cohort attributes. */
const OUTCOME_ATTRIBUTES: Readonly<Record<string, keyof OutcomeSignals>> = {
  [App.ESCALATED]: 'escalated',
  [App.BOOKING_MADE]: 'bookingMade',
  [App.TICKET_CREATED]: 'ticketCreated',
  [App.USER_FEEDBACK]: 'userFeedback',
  [App.CONVERSATION_ENDED]: 'conversationEnded',
};

export function conditionHolds(condition: RubricCondition, target: EvaluationTarget): boolean {
  if ('stratum' in condition) return target.sampling?.stratum === condition.stratum;
  const outcomeKey = OUTCOME_ATTRIBUTES[condition.attribute];
  const value = target.cohort[condition.attribute] ?? (outcomeKey ? target.outcome[outcomeKey] : undefined);
  return value !== undefined && String(value) === String(condition.equals);
}

/** The rubrics to judge a target with, in a stable order, each once. */
export function selectRubrics(selection: RubricSelection, target: EvaluationTarget): Rubric[] {
  const matching = selection.rules.filter((rule) => conditionHolds(rule.when, target));
  const replaced = matching.some((rule) => rule.replace === true);
  const chosen = new Set<Rubric>(replaced ? [] : selection.base);
  for (const rule of matching) for (const rubric of rule.rubrics) chosen.add(rubric);
  return [...chosen];
}
