import { createSupportAgent } from './support-agent.ts';

/**
 * The same agent with a deliberate regression in ONE vertical: its model
 * states salon prices (haircut, colour) 20% too high. The gate on
 * `tag:vertical=*` must fail for vertical=salon and nothing else.
 */
export const agent = createSupportAgent({ name: 'support-agent-1.5.0-rc1', promptVersion: 'support-v4', standIn: { misstatePricesOf: ['haircut', 'colour'] } });
