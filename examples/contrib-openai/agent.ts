/**
 * The official `@opentelemetry/instrumentation-openai` (content as log records) with tracejudge
 * in-process, runnable offline: `npm run example:contrib-openai` (the pinned Node 24).
 *
 * A NodeSDK whose spans go through EvaluationSpanProcessor and whose log records pass
 * GenAIContentLogProcessor (docs/two-signals.md). A stand-in model on 127.0.0.1 answers a price
 * question with a tool call, then with a reply that quotes one price the tool said and one it
 * did not. The instrumentation hooks the package named `openai` (versions 4–6); this repository
 * uses openai 7 for itself and installs openai 6 as `openai-v6`, so the instrumentation's own
 * patch is applied to that package by hand. In an app with `openai@6` the `instrumentations`
 * entry alone does it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type OpenAIv6 from 'openai-v6';
import { startConversation } from '../../instrumentation/index.ts';
import { EvaluationSpanProcessor, GenAIContentLogProcessor } from '../../processors/index.ts';

process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';

// A stand-in OpenAI-compatible model: a tool call first, then a reply with one invented price.
const model = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const { messages } = JSON.parse(body) as { messages: { role: string }[] };
    const toolDone = messages.at(-1)?.role === 'tool';
    const message = toolDone
      ? { role: 'assistant', content: 'The Pro plan is $129.00 a month; the Team plan is $99.00 a seat.' }
      : { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_plans', arguments: '{}' } }] };
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: toolDone ? 'chatcmpl-reply' : 'chatcmpl-tool',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'stand-in',
        choices: [{ index: 0, message, finish_reason: toolDone ? 'stop' : 'tool_calls' }],
        usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
      }),
    );
  });
});
await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`;

const spans = new InMemorySpanExporter();
const records = new InMemoryLogRecordExporter();
const evaluation = new EvaluationSpanProcessor({ downstream: new SimpleSpanProcessor({ exporter: spans }) });
const instrumentation = new OpenAIInstrumentation({ captureMessageContent: true });
const recordExport = new SimpleLogRecordProcessor({ exporter: records });
const sdk = new NodeSDK({
  serviceName: 'plans-agent',
  spanProcessors: [evaluation],
  // The content records reach the evaluation by span id, and go on to their exporter unchanged.
  logRecordProcessors: [new GenAIContentLogProcessor(evaluation), recordExport],
  instrumentations: [instrumentation],
  // No metrics here: NodeSDK would otherwise export them over OTLP to a collector that is not running.
  metricReaders: [],
});
sdk.start();
const openaiV6 = createRequire(import.meta.url)('openai-v6') as { OpenAI: typeof OpenAIv6 };
for (const definition of instrumentation.getModuleDefinitions()) definition.patch?.(openaiV6, '6');
const client = new openaiV6.OpenAI({ baseURL, apiKey: 'stand-in', maxRetries: 0 });

const conversation = startConversation({ id: 'example-contrib-1', agentName: 'plans-agent', captureContent: false });
await conversation.turn('What do the Pro and Team plans cost?', async () => {
  const messages: OpenAIv6.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What do the Pro and Team plans cost?' }];
  const first = await client.chat.completions.create({ model: 'stand-in', messages });
  messages.push(first.choices[0]!.message as OpenAIv6.Chat.ChatCompletionMessageParam);
  messages.push({ role: 'tool', tool_call_id: 'call_1', content: JSON.stringify({ pro: { monthly: '$129.00' }, team: { per_seat: '$79.00' } }) });
  await client.chat.completions.create({ model: 'stand-in', messages });
});
// The in-memory exporters forget on shutdown: read them first, once the exports under way have finished
// (one turn of the event loop was not always enough on a loaded machine).
await Promise.all([evaluation.forceFlush(), recordExport.forceFlush()]);
for (const span of spans.getFinishedSpans()) {
  for (const event of span.events.filter((e) => e.name === 'gen_ai.evaluation.result')) {
    const a = event.attributes ?? {};
    console.log(`${span.name} (${span.attributes['gen_ai.response.id']}): ${a['gen_ai.evaluation.name']} ${a['gen_ai.evaluation.score.label']} — ${a['gen_ai.evaluation.explanation']}`);
  }
}
console.log(`${records.getFinishedLogRecords().length} content log records exported unchanged; content taken by tracejudge: ${evaluation.stats().content.recordsJoined}`);
await sdk.shutdown();
model.close();
