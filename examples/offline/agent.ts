import { createSupportAgent } from './support-agent.ts';

/** `tracejudge eval --agent examples/offline/agent.ts`: the support agent as released. */
export const agent = createSupportAgent({ name: 'support-agent-1.4.0', promptVersion: 'support-v3' });
