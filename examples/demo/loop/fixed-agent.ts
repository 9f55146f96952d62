import { demoOfflineAgent } from './offline-agent.ts';

/** `tracejudge eval --agent examples/demo/loop/fixed-agent.ts`: the demo agent's next release (states no made-up value). */
export const agent = demoOfflineAgent('fixed');
