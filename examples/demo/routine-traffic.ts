import type { Scenario } from './scenarios.ts';

/**
 * Synthetic routine traffic: short English questions with no tool call and no
 * commitment, so they land in the `routine` stratum and no check fails. The
 * first 40 warm the per-stratum outlier sketches (the demo config lowers
 * `outliers.minSamples` to 20 for this); the last two are the outliers the
 * live triggers exist for — one very slow turn, one with a huge prompt.
 */

const QUESTIONS = [
  'Where can I see my bookings?',
  'How do I change the email on my account?',
  'Can I get the invoice as a PDF?',
  'Is there an app for Android?',
  'How do I turn off marketing emails?',
] as const;

const ANSWER = 'You can do that in the app under Account. Is there anything else I can help with?';

function routine(index: number, overrides: Partial<Scenario['turns'][number]> = {}, id = `demo-routine-${String(index).padStart(3, '0')}`): Scenario {
  return {
    id,
    vertical: 'ecommerce',
    language: 'en',
    flow: 'faq',
    // The ticket number keeps each user line unique: the stand-in model finds its script by the user's text.
    turns: [{ user: `${QUESTIONS[index % QUESTIONS.length]} (ticket R-${1000 + index})`, reply: ANSWER, ...overrides }],
  };
}

export const WARM_UP_CONVERSATIONS = 40;

/**
 * The stand-in model answers warm-up turns this much later. Answered at once, their latencies were
 * a few milliseconds, and on a busy machine the huge-prompt turn (answered at once too) could take
 * longer than all of them and be sampled as a latency outlier instead of a token outlier.
 */
const WARM_UP_LATENCY_MS = 30;

export const routineScenarios: readonly Scenario[] = [
  ...Array.from({ length: WARM_UP_CONVERSATIONS }, (_, index) => routine(index + 1, { latencyMs: WARM_UP_LATENCY_MS })),
  routine(101, { latencyMs: 1500 }, 'demo-outlier-slow'),
  routine(102, { promptTokens: 60_000 }, 'demo-outlier-tokens'),
];
