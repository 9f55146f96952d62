import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { instrumentOpenAI } from '../../instrumentation/index.ts';
import type { AgentContext, AgentOutput, OfflineAgent } from '../../src/offline/index.ts';
import { runTool, toolDefinitions } from '../demo/tools.ts';
import { startOfflineStandInModel, type StandInOptions } from './stand-in-model.ts';

/**
 * The offline example's support agent: the demo's tools, a tool-calling loop
 * over the instrumented `openai` client, and a stand-in model on loopback
 * (no key needed). The variant decides what the stand-in gets wrong.
 */

const SYSTEM = 'You are the support assistant of a booking and payments platform. Only state prices, times and refunds a tool returned.';
const MAX_ROUNDS = 4;
const OUTCOME_OF_TOOL: Record<string, AgentOutput['outcome']> = { book_slot: 'booking_made', create_ticket: 'ticket_created', escalate_to_human: 'escalated' };

export function createSupportAgent(variant: { name: string; promptVersion: string; standIn?: StandInOptions }): OfflineAgent {
  const model = 'standin-offline-1';
  let client: Promise<OpenAI> | undefined;
  const connect = async () => {
    const standIn = await startOfflineStandInModel(variant.standIn);
    return instrumentOpenAI(new OpenAI({ apiKey: 'offline-stand-in', baseURL: standIn.baseURL, maxRetries: 0, timeout: 30_000 }), { captureMessageContent: true });
  };

  return async (input, context: AgentContext) => {
    const openai = await (client ??= connect());
    const language = context.row.tags.language ?? 'en';
    const system = `${SYSTEM} Reply in language: ${language}.`;
    const conversation = context.startConversation({ agentName: 'support-agent', agentVersion: variant.name, systemInstructions: system });
    const history: ChatCompletionMessageParam[] = [{ role: 'system', content: system }];
    const toolCalls: { name: string; arguments: Record<string, unknown> }[] = [];
    let outcome: AgentOutput['outcome'] = 'none';
    let reply = '';
    for (const userText of typeof input === 'string' ? [input] : input) {
      reply = await conversation.turn(userText, async (turn) => {
        history.push({ role: 'user', content: userText });
        for (let round = 0; round < MAX_ROUNDS; round++) {
          const completion = await openai.chat.completions.create({ model, messages: history, tools: toolDefinitions }, { signal: context.signal });
          const message = completion.choices[0].message;
          history.push(message);
          if (!message.tool_calls?.length) {
            turn.reply(message.content ?? '');
            return message.content ?? '';
          }
          for (const call of message.tool_calls) {
            if (call.type !== 'function') continue;
            const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
            toolCalls.push({ name: call.function.name, arguments: args });
            const result = await turn.tool(call.function.name, args, (toolArgs) => runTool(call.function.name, toolArgs), { callId: call.id });
            const reached = OUTCOME_OF_TOOL[call.function.name];
            if (reached === 'booking_made') turn.outcome.bookingMade();
            if (reached === 'ticket_created') turn.outcome.ticketCreated();
            if (reached === 'escalated') turn.outcome.escalated();
            if (reached) outcome = reached;
            history.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
          }
        }
        turn.reply('Sorry, I could not finish that request.');
        return 'Sorry, I could not finish that request.';
      });
    }
    conversation.end();
    return { reply, toolCalls, outcome, metadata: { model, prompt: variant.promptVersion, variant: variant.name } };
  };
}
