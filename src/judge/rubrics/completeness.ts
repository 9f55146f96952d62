import type { Rubric } from '../rubric.ts';

/** The reply covers everything the user asked for in this turn. */
export const completeness: Rubric = {
  name: 'completeness',
  description: 'The reply addresses every part of the user request, or says what it cannot do.',
  instructions: [
    'List the questions and requests in the user messages the judged reply answers (the last turn, and any earlier',
    'request still open). Judge whether the reply addresses each one: answered, done, or clearly declined with a reason',
    'or a next step. Information the user needs to act (a time, a price, a reference number) counts as part of the answer.',
    'Do not penalize the reply for leaving out things the user did not ask for.',
    '',
    'Score: 5 every part addressed; 4 a minor detail missing; 3 one request left unanswered; 2 most of it missing;',
    '1 the reply ignores the request.',
    'Label: "complete" for 5 or 4, "partial" for 3, "incomplete" for 2 or 1.',
  ].join('\n'),
  scale: { min: 1, max: 5, integer: true },
  labels: ['complete', 'partial', 'incomplete'],
};
