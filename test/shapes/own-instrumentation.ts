/**
 * The labelled rows as tracejudge's own instrumentation records them, in process: a
 * `startConversation` turn, one `traceTool` span per tool result, and the instrumented `openai`
 * client calling a local OpenAI-compatible server that answers with the row's reply. Spans go
 * through the real SDK into an `EvaluationSpanProcessor`; the verdicts are those of the chat span.
 */
import OpenAI from 'openai';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { instrumentOpenAI, startConversation, traceTool } from '../../instrumentation/index.ts';
import { EvaluationSpanProcessor } from '../../processors/index.ts';
import type { ResultSink } from '../../src/results/result-sink.ts';
import { installContextManager } from '../instrumentation/tracing-harness.ts';
import { startOpenAITestServer } from '../support/openai-test-server.ts';
import type { LabelledRow } from '../checks/precision-recall.ts';
import { FOLLOW_UP, INTERIM_REPLY, planOf } from './render.ts';
import type { Layout } from './render.ts';
import { verdictsOf } from './verdicts.ts';
import type { Verdicts } from './verdicts.ts';

export async function ownInstrumentationVerdicts(rows: readonly LabelledRow[], layout: Layout = 'one-turn'): Promise<Verdicts> {
  installContextManager();
  const verdicts: Verdicts = new Map();
  let currentRow = '';
  const sink: ResultSink = {
    write(results, target) {
      // Only the chat span carries the reply (the turn span's output is the same text: its verdicts are the chat span's).
      if (target.spanId === chatSpanIds.get(currentRow)) verdicts.set(currentRow, verdictsOf(results));
    },
  };
  const chatSpanIds = new Map<string, string>();
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [
      {
        // At start: the evaluation runs as the span ends, before any onEnd.
        onStart(span) {
          // The last chat span of the row is the one whose reply is the row's.
          if (span.name.startsWith('chat ')) chatSpanIds.set(currentRow, span.spanContext().spanId);
        },
        onEnd: () => undefined,
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      },
      new EvaluationSpanProcessor({ downstream: new SimpleSpanProcessor({ exporter }), sinks: [sink] }),
    ],
  });
  let reply = '';
  const server = await startOpenAITestServer(() => ({
    json: {
      id: 'chatcmpl-shape',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt-test',
      choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    },
  }));
  try {
    const client = instrumentOpenAI(new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 }), {
      tracerProvider: provider,
      captureMessageContent: true,
    });
    for (const [index, row] of rows.entries()) {
      const plan = planOf(row, index);
      currentRow = row.id;
      const conversation = startConversation({ id: plan.conversationId, agentName: 'support', systemInstructions: plan.system, tracerProvider: provider });
      const firstUser = plan.steps.find((step) => step.kind === 'user');
      const history: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = plan.system.map((text) => ({ role: 'system', content: text }));
      reply = layout === 'one-turn' ? row.reply : INTERIM_REPLY;
      await conversation.turn(firstUser?.text ?? '', async () => {
        for (const step of plan.steps) {
          if (step.kind === 'user' || step.kind === 'assistant') history.push({ role: step.kind, content: step.text });
          else {
            // Retrieved context reaches this instrumentation as what a retrieval tool returned.
            const id = step.kind === 'tool' ? step.id : `retrieve_${index}`;
            const name = step.kind === 'tool' ? step.name : 'search_kb';
            const result = await traceTool(name, { query: 'lookup' }, () => step.text, { tracerProvider: provider, callId: id });
            history.push({ role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name, arguments: '{"query":"lookup"}' } }] });
            history.push({ role: 'tool', tool_call_id: id, content: result });
          }
        }
        const completion = await client.chat.completions.create({ model: 'gpt-test', messages: history });
        return completion.choices[0]?.message.content ?? '';
      });
      if (layout !== 'one-turn') {
        reply = row.reply;
        await conversation.turn(FOLLOW_UP, async () => {
          // Chat Completions re-send the history; a stateful API sends only what is new.
          const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] =
            layout === 'two-turns' ? [...history, { role: 'assistant', content: INTERIM_REPLY }, { role: 'user', content: FOLLOW_UP }] : [{ role: 'user', content: FOLLOW_UP }];
          const completion = await client.chat.completions.create({ model: 'gpt-test', messages });
          return completion.choices[0]?.message.content ?? '';
        });
      }
      conversation.end();
    }
  } finally {
    await provider.shutdown();
    await server.close();
  }
  return verdicts;
}
