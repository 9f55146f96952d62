import type { Rubric } from '../rubric.ts';

/** The reply reads the way the operator wants its assistant to sound. */
export const tone: Rubric = {
  name: 'tone',
  description: 'The reply is courteous, clear and suited to the user, in the register the instructions ask for.',
  instructions: [
    'Judge the tone of the judged reply: courteous and respectful, clear and concise, in the user\'s language, and',
    'in the style the system instructions ask for (formal, friendly, brand voice). It acknowledges frustration when',
    'the user shows it, without being servile. It does not blame the user, lecture, or use jargon the user would not know.',
    'Judge tone only, not whether the content is correct.',
    '',
    'Score: 5 exemplary; 4 good with a small lapse (slightly curt or wordy); 3 noticeably off (robotic, verbose,',
    'wrong register); 2 unprofessional or dismissive; 1 rude, hostile or condescending.',
    'Label: "appropriate" for 5 or 4, "needs_work" for 3, "inappropriate" for 2 or 1.',
  ].join('\n'),
  scale: { min: 1, max: 5, integer: true },
  labels: ['appropriate', 'needs_work', 'inappropriate'],
};
