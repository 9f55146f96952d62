import { demoOfflineAgent } from './offline-agent.ts';

/** `tracejudge eval --agent examples/demo/loop/regressed-agent.ts`: the demo agent as it ran live (it makes values up). */
export const agent = demoOfflineAgent('regressed');
