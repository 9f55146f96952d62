import OpenAI from 'openai';
import { instrumentOpenAI } from '../../../instrumentation/index.ts';
import type { OfflineAgent } from '../../../src/offline/index.ts';
import { runTurns, SYSTEM_INSTRUCTIONS } from '../agent.ts';
import { startStandInModel } from '../stand-in-model.ts';

/**
 * The demo's support agent as `tracejudge eval --agent` runs it: the same tool-calling loop
 * and tools as the live demo, over the scripted stand-in model on loopback. `regressed` is
 * the agent the live demo ran (it makes values up); `fixed` is its next release, whose
 * replies no longer state them.
 */
export function demoOfflineAgent(variant: 'fixed' | 'regressed'): OfflineAgent {
  let client: Promise<OpenAI> | undefined;
  const connect = async () => {
    const standIn = await startStandInModel({ fixed: variant === 'fixed' });
    return instrumentOpenAI(new OpenAI({ apiKey: 'demo-stand-in', baseURL: standIn.baseURL, maxRetries: 0, timeout: 30_000 }), { captureMessageContent: true });
  };
  return async (input, context) => {
    const openai = await (client ??= connect());
    const conversation = context.startConversation({ agentName: 'support-agent', agentVersion: variant === 'fixed' ? '1.4.1' : '1.4.0', systemInstructions: SYSTEM_INSTRUCTIONS });
    const replies = await runTurns(conversation, typeof input === 'string' ? [input] : input, { client: openai, model: 'standin-support-1' });
    return { reply: replies.at(-1) ?? '', metadata: { agent: `support-agent-${variant}` } };
  };
}
