import type { Rubric } from '../rubric.ts';

/** No fabricated facts or policy: every claim rests on what the agent was given. */
export const faithfulness: Rubric = {
  name: 'faithfulness',
  description: 'The reply states only facts and policies supported by tool results, instructions or the user.',
  instructions: [
    'Check every factual claim the assistant makes in the judged reply: prices, amounts, dates, times, availability,',
    'order or account details, names, and any rule or policy it states or applies.',
    'A claim is supported when it appears in a tool result, the system instructions, the retrieved context or an',
    "earlier user message of this conversation, or follows from them by one simple step (a sum, a difference, a",
    'quantity times a stated price). The assistant\'s own earlier messages do not support anything.',
    'A claim contradicting a tool result, or a policy that the instructions do not contain, is fabricated.',
    'Hedged statements ("I will check") and questions are not claims.',
    '',
    'Score: 5 every claim is supported; 4 one minor unsupported detail that would not mislead the user;',
    '3 an unsupported claim that could mislead; 2 a fabricated fact or policy the user may act on;',
    '1 the reply rests on fabrications or contradicts the tool results.',
    'Label: "faithful" for 5 or 4, "partially_faithful" for 3, "unfaithful" for 2 or 1.',
  ].join('\n'),
  scale: { min: 1, max: 5, integer: true },
  labels: ['faithful', 'partially_faithful', 'unfaithful'],
};
