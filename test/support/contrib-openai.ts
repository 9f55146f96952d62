import { createRequire } from 'node:module';
import { logs, trace } from '@opentelemetry/api';
import type { LoggerProvider, TracerProvider } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import type OpenAIv6 from 'openai-v6';
import { startConversation } from '../../instrumentation/index.ts';
import { chatCompletion } from './openai-test-server.ts';
import type { RecordedRequest, ScriptedReply } from './openai-test-server.ts';

/**
 * The official `@opentelemetry/instrumentation-openai` (0.22, content capture on) over the
 * newest `openai` major it hooks (6; installed as `openai-v6`, since the project's own client is
 * openai 7). Its module hook matches the package name `openai`, so the test applies the
 * instrumentation's own patch to the aliased package, once per process; the providers can be
 * swapped per test. Content then goes to the Logs API only, one record per message.
 */
let instrumentation: OpenAIInstrumentation | undefined;
let OpenAIClass: typeof OpenAIv6 | undefined;

/** Without providers, the instrumentation uses the global ones (as an app with NodeSDK has it). */
export function contribOpenAI(tracerProvider?: TracerProvider, loggerProvider?: LoggerProvider): typeof OpenAIv6 {
  if (instrumentation === undefined) {
    instrumentation = new OpenAIInstrumentation({ captureMessageContent: true });
    const require = createRequire(import.meta.url);
    const exports = require('openai-v6') as { OpenAI: typeof OpenAIv6 };
    for (const definition of instrumentation.getModuleDefinitions()) definition.patch?.(exports, '6.30.1');
    OpenAIClass = exports.OpenAI;
  }
  instrumentation.setTracerProvider(tracerProvider ?? trace.getTracerProvider());
  instrumentation.setLoggerProvider(loggerProvider ?? logs.getLoggerProvider());
  return OpenAIClass!;
}

/** One conversation's script: the tool result of turn 1 and the replies of both turns. */
export interface ContribScript {
  readonly conversationId: string;
  readonly toolResult: Record<string, unknown>;
  readonly reply1: string;
  readonly reply2: string;
}

export const USER_1 = 'How much is a dental cleaning, when is the next slot, and what about my refund?';
export const USER_2 = 'Great, please book it.';
const SYSTEM = 'You are the front desk of a dental clinic.';

/** Grounded: every price, time and refund in both replies is in turn 1's tool result. */
export const GROUNDED: ContribScript = {
  conversationId: 'contrib-grounded',
  toolResult: { service: 'cleaning', price: '$120.00', next_slot: '10:30', refund_amount: '$45.00' },
  reply1: 'A cleaning costs $120.00. The next slot is tomorrow at 10:30, and your refund of $45.00 has been issued.',
  reply2: 'Booked: your cleaning tomorrow at 10:30, $120.00 due at the visit.',
};

/** Ungrounded: the replies quote a price, a time and a refund the tool never said. */
export const UNGROUNDED: ContribScript = {
  conversationId: 'contrib-ungrounded',
  toolResult: { service: 'cleaning', price: '$120.00', next_slot: '10:30', refund_amount: '$45.00' },
  reply1: 'A cleaning costs $150.00. The next slot is tomorrow at 11:45, and your refund of $60.00 has been issued.',
  reply2: 'Booked: your cleaning tomorrow at 16:15, $99.00 due at the visit.',
};

/**
 * The test server's side of the scripts: the conversation is told by the marker in the system
 * prompt; a request without a tool message in turn 1 gets a tool call, one ending in the tool
 * message gets reply 1, and turn 2 (which sends a text-only history) gets reply 2.
 */
export function contribHandler(scripts: readonly ContribScript[]): (request: RecordedRequest) => ScriptedReply {
  return (request) => {
    const messages = request.body.messages as { role: string; content?: string }[];
    const script = scripts.find((s) => String(messages[0]?.content).includes(s.conversationId));
    if (script === undefined) return { json: chatCompletion('I do not know this conversation.') };
    const last = messages.at(-1)!;
    const turn2 = messages.filter((m) => m.role === 'user').length > 1;
    if (turn2) return { json: chatCompletion(script.reply2, { id: `chatcmpl-${script.conversationId}-3` }) };
    if (last.role === 'tool') return { json: chatCompletion(script.reply1, { id: `chatcmpl-${script.conversationId}-2` }) };
    return {
      json: chatCompletion(null, {
        id: `chatcmpl-${script.conversationId}-1`,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              refusal: null,
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_clinic', arguments: '{"service":"cleaning"}' } }],
            },
            finish_reason: 'tool_calls',
            logprobs: null,
          },
        ],
      }),
    };
  };
}

/**
 * The agent: two turns of one conversation (tracejudge's `startConversation` gives the turns their
 * `gen_ai.conversation.id`, with its own content capture off, so all content comes from the
 * contrib instrumentation's log records). Turn 1 calls the tool; turn 2 sends a text-only
 * history, so its values can only be grounded by turn 1's `gen_ai.tool.message`.
 */
export async function runContribConversation(client: OpenAIv6, script: ContribScript, tracerProvider?: TracerProvider): Promise<void> {
  const conversation = startConversation({ id: script.conversationId, agentName: 'clinic-agent', ...(tracerProvider && { tracerProvider }), captureContent: false });
  const system = { role: 'system' as const, content: `${SYSTEM} (${script.conversationId})` };
  await conversation.turn(USER_1, async () => {
    const history: OpenAIv6.Chat.ChatCompletionMessageParam[] = [system, { role: 'user', content: USER_1 }];
    const first = await client.chat.completions.create({ model: 'test-model', messages: history });
    const call = first.choices[0]!.message.tool_calls![0]!;
    history.push(first.choices[0]!.message as OpenAIv6.Chat.ChatCompletionMessageParam);
    history.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(script.toolResult) });
    await client.chat.completions.create({ model: 'test-model', messages: history });
  });
  await conversation.turn(USER_2, async () => {
    await client.chat.completions.create({
      model: 'test-model',
      messages: [system, { role: 'user', content: USER_1 }, { role: 'assistant', content: script.reply1 }, { role: 'user', content: USER_2 }],
    });
  });
}
