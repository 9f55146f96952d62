import type OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { startConversation, type Conversation, type OutcomeRecorder } from '../../instrumentation/index.ts';
import type { Scenario } from './scenarios.ts';
import { runTool, toolDefinitions } from './tools.ts';

/**
 * The demo support agent: an ordinary tool-calling loop over the `openai`
 * client. The only tracejudge-specific lines are the conversation / turn /
 * tool helpers; the client itself was wrapped once with `instrumentOpenAI`.
 */

export const SYSTEM_INSTRUCTIONS =
  'You are the support assistant of a booking and payments platform. Only state prices, times and refund amounts that a tool returned. Escalate to a human when the customer asks for one.';

const MAX_TOOL_ROUNDS = 4;

export interface AgentOptions {
  readonly client: OpenAI;
  readonly model: string;
}

export async function runScenario(scenario: Scenario, { client, model }: AgentOptions): Promise<string[]> {
  const conversation = startConversation({
    id: scenario.id,
    agentName: 'support-agent',
    agentVersion: '1.4.0',
    systemInstructions: SYSTEM_INSTRUCTIONS,
    cohort: { vertical: scenario.vertical, language: scenario.language, flow: scenario.flow },
  });
  const replies = await runTurns(conversation, scenario.turns.map((turn) => turn.user), { client, model }, {
    stream: scenario.stream === true,
    // Outcome signals land on the running last turn, where sampling and the judge read them.
    beforeLastTurn: () => recordOutcomes(conversation.outcome, scenario),
  });
  conversation.end();
  return replies;
}

/** The tool-calling loop for each user message in turn, on a conversation started by the caller (live or offline). */
export async function runTurns(
  conversation: Conversation,
  userTexts: readonly string[],
  { client, model }: AgentOptions,
  options: { stream?: boolean; beforeLastTurn?: () => void } = {},
): Promise<string[]> {
  const history: ChatCompletionMessageParam[] = [{ role: 'system', content: SYSTEM_INSTRUCTIONS }];
  const replies: string[] = [];
  for (const [index, userText] of userTexts.entries()) {
    const reply = await conversation.turn(userText, async (turn) => {
      history.push({ role: 'user', content: userText });
      if (index === userTexts.length - 1) options.beforeLastTurn?.();
      for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
        const message = await complete(client, model, history, options.stream === true);
        history.push(message);
        if (!message.tool_calls?.length) {
          const text = typeof message.content === 'string' ? message.content : '';
          turn.reply(text);
          return text;
        }
        for (const call of message.tool_calls) {
          if (call.type !== 'function') continue;
          const args = parseArguments(call.function.arguments);
          const result = await turn.tool(call.function.name, args, (toolArgs) => runTool(call.function.name, toolArgs), { callId: call.id });
          history.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
        }
      }
      const giveUp = 'Sorry, I could not finish that request.';
      turn.reply(giveUp);
      return giveUp;
    });
    replies.push(reply);
  }
  return replies;
}

function recordOutcomes(outcome: OutcomeRecorder, scenario: Scenario): void {
  for (const signal of scenario.outcomes ?? []) {
    if (signal === 'escalated') outcome.escalated();
    else if (signal === 'booking_made') outcome.bookingMade();
    else if (signal === 'ticket_created') outcome.ticketCreated();
    else outcome.feedback(signal === 'feedback_negative' ? 'negative' : 'positive');
  }
}

type AssistantMessage = OpenAI.Chat.Completions.ChatCompletionMessage;

async function complete(client: OpenAI, model: string, messages: ChatCompletionMessageParam[], stream: boolean): Promise<AssistantMessage> {
  if (!stream) {
    const completion = await client.chat.completions.create({ model, messages, tools: toolDefinitions });
    return completion.choices[0].message;
  }
  // Streaming: assemble content and tool-call deltas into one message.
  const chunks = await client.chat.completions.create({ model, messages, tools: toolDefinitions, stream: true, stream_options: { include_usage: true } });
  let content = '';
  const toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  for await (const chunk of chunks) {
    const delta = chunk.choices[0]?.delta;
    if (!delta) continue;
    if (delta.content) content += delta.content;
    for (const call of delta.tool_calls ?? []) {
      const slot = (toolCalls[call.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
      if (call.id) slot.id = call.id;
      if (call.function?.name) slot.function.name += call.function.name;
      if (call.function?.arguments) slot.function.arguments += call.function.arguments;
    }
  }
  return { role: 'assistant', content: content || null, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) } as AssistantMessage;
}

function parseArguments(text: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}
