import type { Rubric } from '../rubric.ts';

/** The reply is right: it answers with true information and sound steps. */
export const correctness: Rubric = {
  name: 'correctness',
  description: 'The reply is factually and logically right for what the user asked.',
  instructions: [
    'Judge whether the judged reply is correct: the information is true given the tool results and the instructions,',
    'calculations are right, the tool calls the assistant made were the right ones with the right arguments, and the',
    'actions it reports (booked, cancelled, refunded) match what the tool results show actually happened.',
    'Do not reward style or length; a short correct answer is fully correct.',
    '',
    'Score: 5 fully correct; 4 correct with a small slip that does not change the outcome; 3 partly correct,',
    'the user would need to ask again; 2 mostly wrong; 1 wrong, or reports an action that did not happen.',
    'Label: "correct" for 5 or 4, "partially_correct" for 3, "incorrect" for 2 or 1.',
  ].join('\n'),
  scale: { min: 1, max: 5, integer: true },
  labels: ['correct', 'partially_correct', 'incorrect'],
};
