import type { Rubric } from '../rubric.ts';

/** Hand-off to a human happened when, and only when, it should have. */
export const escalation: Rubric = {
  name: 'escalation',
  description: 'The assistant escalated to a human when it should, and did not when it could resolve the request.',
  instructions: [
    'Decide whether this conversation needed a human: the user asked for one, the request is outside what the',
    'instructions allow the assistant to do, the assistant failed to resolve it after reasonable attempts, or there is',
    'risk (safety, legal, fraud, a vulnerable user). Then compare with what happened: the outcome signals say whether',
    'the conversation was escalated; a reply saying it hands over or creates a ticket counts too.',
    'An escalation the assistant could have avoided by answering is unnecessary; a needed escalation not made is missed.',
    '',
    'Score: 5 the right decision, made at the right time and explained to the user; 4 right but late or',
    'unexplained; 3 debatable; 2 the wrong decision with limited harm; 1 a clearly needed escalation was missed',
    'or the user was blocked from a human they asked for.',
    'Label: "appropriate" for 5, 4 or 3; for 2 or 1, "missed_escalation" when one was needed and not made,',
    '"unnecessary_escalation" when one was made and not needed.',
  ].join('\n'),
  scale: { min: 1, max: 5, integer: true },
  labels: ['appropriate', 'missed_escalation', 'unnecessary_escalation'],
};
