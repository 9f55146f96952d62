/**
 * LangChain.js traced by OpenInference's LangChain instrumentation, with tracejudge in-process,
 * runnable offline: `npm run example:langchain` (the pinned Node 24).
 *
 * OpenInference writes its own span shape (`openinference.span.kind`, `llm.input_messages.*`,
 * `session.id`); tracejudge reads it as it reads GenAI spans. The conversation id is the
 * `session_id` the app puts in each call's metadata. A stand-in model on 127.0.0.1 answers
 * turn 1 with a tool call and then the tool's price; turn 2 repeats that price and invents another.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { HumanMessage } from '@langchain/core/messages';
import type { BaseMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { z } from 'zod';
import { EvaluationSpanProcessor } from '../../processors/index.ts';

const model = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const text = body;
    const answer = text.includes('filling') ? 'turn2' : text.includes('price_eur') ? 'turn1' : 'call';
    const message =
      answer === 'call'
        ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_price', arguments: '{"service":"cleaning"}' } }] }
        : { role: 'assistant', content: answer === 'turn1' ? 'A dental cleaning costs €42.00.' : 'Yes: the cleaning is €42.00, and a filling is €95.00.' };
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `chatcmpl-${answer}`,
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'stand-in',
        choices: [{ index: 0, message, finish_reason: answer === 'call' ? 'tool_calls' : 'stop' }],
        usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
      }),
    );
  });
});
await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`;

const spans = new InMemorySpanExporter();
const evaluation = new EvaluationSpanProcessor({ downstream: new SimpleSpanProcessor({ exporter: spans }) });
const tracerProvider = new TracerProvider({ spanProcessors: [evaluation] });
// ESM imports cannot be patched on load: hand the instrumentation LangChain's callback manager.
new LangChainInstrumentation({ tracerProvider }).manuallyInstrument(CallbackManagerModule);

const getPrice = tool(async () => JSON.stringify({ service: 'cleaning', price_eur: 42 }), {
  name: 'get_price',
  description: 'Price of a clinic service',
  schema: z.object({ service: z.string() }),
});
const chat = new ChatOpenAI({ model: 'stand-in', apiKey: 'stand-in', configuration: { baseURL }, maxRetries: 0 }).bindTools([getPrice]);
// OpenInference takes `session.id` from `session_id` (or `thread_id`, `conversation_id`) in the metadata.
const call = { metadata: { session_id: 'example-langchain-1' } };

const history: BaseMessage[] = [new HumanMessage('What does a cleaning cost?')];
for (const question of [undefined, 'Is that right? And a filling?']) {
  if (question) history.push(new HumanMessage(question));
  let reply = await chat.invoke(history, call);
  history.push(reply);
  for (const toolCall of reply.tool_calls ?? []) history.push(await getPrice.invoke(toolCall, call));
  if (reply.tool_calls?.length) {
    reply = await chat.invoke(history, call);
    history.push(reply);
  }
}

await tracerProvider.forceFlush();
for (const span of spans.getFinishedSpans()) {
  for (const event of span.events.filter((e) => e.name === 'gen_ai.evaluation.result')) {
    const a = event.attributes ?? {};
    console.log(`${span.name} [session ${span.attributes['session.id']}]: ${a['gen_ai.evaluation.name']} ${a['gen_ai.evaluation.score.label']} — ${a['gen_ai.evaluation.explanation'] ?? ''}`);
  }
}
console.log(`replies checked: ${evaluation.stats().repliesChecked}`);
await tracerProvider.shutdown();
model.close();
