/**
 * The labelled conversations (test/checks/fixtures/labelled-replies.jsonl) rendered the way each
 * instrumentation tracejudge reads would have recorded them: same texts byte for byte, same ids
 * and timing, only the shape differs. Each row is one trace: an agent span, one tool span per tool
 * result, a retrieval span when the row has retrieved context, and the chat span that carries the
 * graded reply. Output is OTLP/JSON, one `ExportTraceServiceRequest` (and, for the log shapes, one
 * `ExportLogsServiceRequest`) per row, as `tracejudge check` reads it.
 */
import type { LabelledRow } from '../checks/precision-recall.ts';

export const SHAPES = [
  /** GenAI semconv, content attributes as JSON strings (SDK 2.x). */
  'genai-json',
  /** GenAI semconv, content attributes as structured AnyValue (API 1.10 / SDK 3.x). */
  'genai-structured',
  /** Older GenAI span events `gen_ai.content.prompt` / `.completion` (OpenAI-style message JSON). */
  'genai-span-events',
  /** GenAI log records, semconv 1.36: one record per message (the contrib OpenAI instrumentation; no tool spans). */
  'genai-logs-1.36',
  /** GenAI log record, semconv 1.38: one `gen_ai.client.inference.operation.details` record per call. */
  'genai-logs-1.38',
  /** OpenInference: flattened `llm.input_messages.{i}`, TOOL spans with `input.value` / `output.value`, RETRIEVER spans. */
  'openinference',
  /** OpenLLMetry legacy: `gen_ai.prompt.{i}` / `gen_ai.completion.{i}`, tool output as a JSON string holding JSON. */
  'openllmetry-legacy',
  /** OpenLLMetry current: GenAI message attributes on the chat span, `traceloop.entity.*` tool spans. */
  'openllmetry-current',
] as const;
export type Shape = (typeof SHAPES)[number];

type AnyValueJson =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: AnyValueJson[] } }
  | { kvlistValue: { values: { key: string; value: AnyValueJson }[] } }
  | Record<string, never>;

export function anyValue(value: unknown): AnyValueJson {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (typeof value === 'object' && value !== null) {
    return { kvlistValue: { values: Object.entries(value).map(([key, v]) => ({ key, value: anyValue(v) })) } };
  }
  return {};
}

type Attrs = Record<string, unknown>;
const attributes = (attrs: Attrs, structured = false) =>
  Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([key, v]) => ({ key, value: structured || typeof v !== 'object' ? anyValue(v) : anyValue(JSON.stringify(v)) }));

type Step =
  | { kind: 'user'; text: string }
  | { kind: 'assistant'; text: string }
  | { kind: 'tool'; id: string; name: string; spanId: string; text: string }
  | { kind: 'retrieval'; spanId: string; text: string };

/** What a row says, in conversation order, with the ids every shape shares. */
export interface Plan {
  readonly conversationId: string;
  readonly traceId: string;
  readonly agentSpanId: string;
  readonly chatSpanId: string;
  readonly system: string[];
  /** Messages before the reply, in source order. */
  readonly steps: Step[];
  readonly reply: string;
  readonly startNanos: bigint;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const NANOS_PER_MS = 1_000_000n;
/** Rows are 10 s apart in time, each one's spans 10 ms apart. */
const BASE_MS = 1_767_225_600_000n;

export function planOf(row: LabelledRow, index: number): Plan {
  const system: string[] = [];
  const steps: Step[] = [];
  let spans = 2;
  row.sources.forEach((source, i) => {
    if (source.kind === 'system_instructions') system.push(source.text);
    else if (source.kind === 'user_message') steps.push({ kind: 'user', text: source.text });
    else if (source.kind === 'tool_result') {
      steps.push({ kind: 'tool', id: `call_${index}_${i}`, name: 'lookup', spanId: hex((index + 1) * 16 + spans++, 16), text: source.text });
    } else steps.push({ kind: 'retrieval', spanId: hex((index + 1) * 16 + spans++, 16), text: source.text });
  });
  return {
    conversationId: `conv-${row.id}`,
    traceId: hex(index + 1, 32),
    agentSpanId: hex((index + 1) * 16, 16),
    chatSpanId: hex((index + 1) * 16 + 1, 16),
    system,
    steps,
    reply: row.reply,
    startNanos: (BASE_MS + BigInt(index) * 10_000n) * NANOS_PER_MS,
  };
}

/** A tool result as an instrumentation that holds the returned object would record it: JSON text parsed, else the text. */
function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const TOOL_ARGUMENTS = '{"query":"lookup"}';

/** GenAI semconv input messages (`parts`), with the tool result as the object it was. */
function genaiInput(plan: Plan, withSystem: boolean): unknown[] {
  const messages: unknown[] = withSystem ? plan.system.map((text) => ({ role: 'system', parts: [{ type: 'text', content: text }] })) : [];
  for (const step of plan.steps) {
    if (step.kind === 'user' || step.kind === 'assistant') messages.push({ role: step.kind, parts: [{ type: 'text', content: step.text }] });
    else if (step.kind === 'tool') {
      messages.push({ role: 'assistant', parts: [{ type: 'tool_call', id: step.id, name: step.name, arguments: JSON.parse(TOOL_ARGUMENTS) }] });
      messages.push({ role: 'tool', parts: [{ type: 'tool_call_response', id: step.id, response: parsedOrText(step.text) }] });
    }
  }
  return messages;
}

const genaiOutput = (plan: Plan) => [{ role: 'assistant', parts: [{ type: 'text', content: plan.reply }], finish_reason: 'stop' }];
const genaiSystem = (plan: Plan) => plan.system.map((text) => ({ type: 'text', content: text }));

/** OpenAI chat-completions messages (what the older span events and the 1.36 records spell). */
function openAIMessages(plan: Plan): { role: string; content?: string; tool_call_id?: string; tool_calls?: unknown[] }[] {
  const messages: { role: string; content?: string; tool_call_id?: string; tool_calls?: unknown[] }[] = plan.system.map((text) => ({ role: 'system', content: text }));
  for (const step of plan.steps) {
    if (step.kind === 'user' || step.kind === 'assistant') messages.push({ role: step.kind, content: step.text });
    else if (step.kind === 'tool') {
      messages.push({ role: 'assistant', tool_calls: [{ id: step.id, type: 'function', function: { name: step.name, arguments: TOOL_ARGUMENTS } }] });
      messages.push({ role: 'tool', tool_call_id: step.id, content: step.text });
    }
  }
  return messages;
}

interface SpanJson {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: AnyValueJson }[];
  events?: { timeUnixNano: string; name: string; attributes: { key: string; value: AnyValueJson }[] }[];
  status: { code: number };
}

const INTERNAL = 1;
const CLIENT = 3;

export interface RenderedRow {
  /** Trace lines, one per turn, in export order. */
  readonly traces: readonly string[];
  /** The logs line of the log shapes (every turn's records). */
  readonly logs?: string;
  /** The chat span whose reply is the row's. */
  readonly chatSpanId: string;
}

/**
 * How a row is laid out in time: one turn (its sources, then the reply), or two — turn 1 calls the
 * tools and answers without a commitment, turn 2 gives the row's reply, its own trace joined to
 * turn 1 only by the conversation id. `two-turns`: turn 2's chat input re-sends the whole history
 * (as Chat Completions are called); `two-turns-memory`: it sends only the new user message (a
 * stateful API, `previous_response_id`), so the reply is grounded by what the pipeline remembers.
 */
export type Layout = 'one-turn' | 'two-turns' | 'two-turns-memory';
export const LAYOUTS: readonly Layout[] = ['one-turn', 'two-turns', 'two-turns-memory'];

/** What turn 1 answers and the user says next in the two-turn layout: no value either check reads. */
export const INTERIM_REPLY = 'Let me look that up for you.';
export const FOLLOW_UP = 'Thanks, go on please.';

/** The plan of turn 2 of the two-turn layout: its own trace, history re-sent, no tool spans of its own. */
export function secondTurnOf(plan: Plan, index: number, resend = true): Plan {
  return {
    ...plan,
    ...(!resend && { system: [] }),
    traceId: hex(index + 1 + 0x100000, 32),
    agentSpanId: hex((index + 1) * 16 + 14, 16),
    chatSpanId: hex((index + 1) * 16 + 15, 16),
    steps: resend ? [...plan.steps, { kind: 'assistant', text: INTERIM_REPLY }, { kind: 'user', text: FOLLOW_UP }] : [{ kind: 'user', text: FOLLOW_UP }],
    startNanos: plan.startNanos + 5_000n * NANOS_PER_MS,
  };
}

/** One row in one shape: the OTLP/JSON lines an instrumentation of that shape would export. */
export function renderRow(row: LabelledRow, index: number, shape: Shape, layout: Layout = 'one-turn'): RenderedRow {
  const plan = planOf(row, index);
  const logs: unknown[] = [];
  const wrap = (spans: SpanJson[]) =>
    JSON.stringify({
      resourceSpans: [{ resource: { attributes: attributes({ 'service.name': 'shape-suite' }) }, scopeSpans: [{ scope: { name: `shape-${shape}` }, spans }] }],
    });
  let traces: string[];
  let chatSpanId = plan.chatSpanId;
  if (layout === 'one-turn') traces = [wrap(renderTurn(plan, shape, true, logs))];
  else {
    const second = secondTurnOf(plan, index, layout === 'two-turns');
    traces = [wrap(renderTurn({ ...plan, reply: INTERIM_REPLY }, shape, true, logs)), wrap(renderTurn(second, shape, false, logs))];
    chatSpanId = second.chatSpanId;
  }
  if (logs.length === 0) return { traces, chatSpanId };
  const logsLine = JSON.stringify({
    resourceLogs: [{ resource: { attributes: attributes({ 'service.name': 'shape-suite' }) }, scopeLogs: [{ scope: { name: `shape-${shape}` }, logRecords: logs }] }],
  });
  return { traces, logs: logsLine, chatSpanId };
}

/** One turn's spans: its tool and retrieval spans (when it ran them), its chat span, its agent span. */
function renderTurn(plan: Plan, shape: Shape, ranTools: boolean, logs: unknown[]): SpanJson[] {
  const at = (step: number) => String(plan.startNanos + BigInt(step) * 10n * NANOS_PER_MS);
  const spans: SpanJson[] = [];
  const structured = shape === 'genai-structured';
  const session = sessionAttributes(shape, plan.conversationId);
  const span = (spanId: string, name: string, kind: number, step: number, attrs: Attrs, parent = plan.agentSpanId): SpanJson => ({
    traceId: plan.traceId,
    spanId,
    ...(parent !== '' && { parentSpanId: parent }),
    name,
    kind,
    startTimeUnixNano: at(step),
    endTimeUnixNano: at(step + 1),
    attributes: attributes({ ...session, ...attrs }, structured),
    status: { code: 0 },
  });

  let step = 1;
  for (const item of plan.steps) {
    if (!ranTools) break;
    if (item.kind === 'tool' && shape !== 'genai-logs-1.36') spans.push(toolSpan(shape, item, step, span));
    if (item.kind === 'retrieval') spans.push(retrievalSpan(shape, item, step, span));
    step += 2;
  }
  spans.push(chatSpan(shape, plan, step, span, logs));
  spans.push(span(plan.agentSpanId, 'invoke_agent support', INTERNAL, 0, agentAttributes(shape), ''));
  spans[spans.length - 1].endTimeUnixNano = at(step + 2);
  return spans;
}

function sessionAttributes(shape: Shape, id: string): Attrs {
  if (shape === 'openinference') return { 'session.id': id };
  if (shape.startsWith('openllmetry')) return { 'traceloop.association.properties.session_id': id };
  return { 'gen_ai.conversation.id': id };
}

function agentAttributes(shape: Shape): Attrs {
  if (shape === 'openinference') return { 'openinference.span.kind': 'AGENT' };
  if (shape.startsWith('openllmetry')) return { 'traceloop.span.kind': 'agent', 'traceloop.entity.name': 'support' };
  return { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support' };
}

type SpanMaker = (spanId: string, name: string, kind: number, step: number, attrs: Attrs) => SpanJson;

function toolSpan(shape: Shape, tool: { id: string; name: string; spanId: string; text: string }, step: number, span: SpanMaker): SpanJson {
  if (shape === 'openinference') {
    return span(tool.spanId, tool.name, INTERNAL, step, {
      'openinference.span.kind': 'TOOL',
      'tool.name': tool.name,
      'input.value': TOOL_ARGUMENTS,
      'input.mime_type': 'application/json',
      'output.value': tool.text,
    });
  }
  if (shape.startsWith('openllmetry')) {
    // Traceloop serializes whatever the tool returned: a string result becomes a JSON string of it.
    return span(tool.spanId, `${tool.name}.tool`, INTERNAL, step, {
      'traceloop.span.kind': 'tool',
      'traceloop.entity.name': tool.name,
      'traceloop.entity.input': JSON.stringify({ args: [], kwargs: JSON.parse(TOOL_ARGUMENTS) }),
      'traceloop.entity.output': JSON.stringify(tool.text),
    });
  }
  return span(tool.spanId, `execute_tool ${tool.name}`, INTERNAL, step, {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': tool.name,
    'gen_ai.tool.call.id': tool.id,
    'gen_ai.tool.call.arguments': TOOL_ARGUMENTS,
    'gen_ai.tool.call.result': tool.text,
  });
}

function retrievalSpan(shape: Shape, item: { spanId: string; text: string }, step: number, span: SpanMaker): SpanJson {
  if (shape === 'openinference') {
    return span(item.spanId, 'retrieve', INTERNAL, step, { 'openinference.span.kind': 'RETRIEVER', 'retrieval.documents.0.document.content': item.text });
  }
  return span(item.spanId, 'retrieval kb', CLIENT, step, {
    'gen_ai.operation.name': 'retrieval',
    'gen_ai.retrieval.documents': [{ id: 'doc-1', score: 0.9, content: item.text }],
  });
}

function chatSpan(shape: Shape, plan: Plan, step: number, span: SpanMaker, logs: unknown[]): SpanJson {
  const base: Attrs = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-test' };
  const record = (eventName: string, body: unknown, attrs: Attrs = {}, offset = 0) =>
    logs.push({
      timeUnixNano: String(plan.startNanos + BigInt(step) * 10n * NANOS_PER_MS + BigInt(offset)),
      eventName,
      ...(body !== undefined && { body: anyValue(body) }),
      attributes: attributes({ 'event.name': eventName, ...attrs }, true),
      traceId: plan.traceId,
      spanId: plan.chatSpanId,
    });
  switch (shape) {
    case 'genai-json':
    case 'genai-structured':
    case 'openllmetry-current': {
      const attrs: Attrs = {
        ...base,
        'gen_ai.input.messages': genaiInput(plan, false),
        'gen_ai.output.messages': genaiOutput(plan),
        ...(plan.system.length > 0 && { 'gen_ai.system_instructions': genaiSystem(plan) }),
        ...(shape === 'openllmetry-current' && { 'llm.request.type': 'chat' }),
      };
      return span(plan.chatSpanId, 'chat gpt-test', CLIENT, step, attrs);
    }
    case 'genai-span-events': {
      const chat = span(plan.chatSpanId, 'chat gpt-test', CLIENT, step, base);
      chat.events = [
        { timeUnixNano: chat.startTimeUnixNano, name: 'gen_ai.content.prompt', attributes: attributes({ 'gen_ai.prompt': JSON.stringify(openAIMessages(plan)) }) },
        {
          timeUnixNano: chat.endTimeUnixNano,
          name: 'gen_ai.content.completion',
          attributes: attributes({ 'gen_ai.completion': JSON.stringify([{ role: 'assistant', content: plan.reply }]) }),
        },
      ];
      return chat;
    }
    case 'genai-logs-1.36': {
      openAIMessages(plan).forEach((message, i) => {
        if (message.role === 'system') record('gen_ai.system.message', { content: message.content }, {}, i);
        else if (message.role === 'user') record('gen_ai.user.message', { content: message.content }, {}, i);
        else if (message.role === 'assistant') record('gen_ai.assistant.message', message.tool_calls ? { tool_calls: message.tool_calls } : { content: message.content }, {}, i);
        else record('gen_ai.tool.message', { id: message.tool_call_id, content: message.content }, {}, i);
      });
      record('gen_ai.choice', { index: 0, finish_reason: 'stop', message: { content: plan.reply } }, {}, 1000);
      return span(plan.chatSpanId, 'chat gpt-test', CLIENT, step, { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-test', 'gen_ai.operation.name': 'chat' });
    }
    case 'genai-logs-1.38': {
      record('gen_ai.client.inference.operation.details', undefined, {
        'gen_ai.input.messages': genaiInput(plan, false),
        'gen_ai.output.messages': genaiOutput(plan),
        ...(plan.system.length > 0 && { 'gen_ai.system_instructions': genaiSystem(plan) }),
      });
      return span(plan.chatSpanId, 'chat gpt-test', CLIENT, step, base);
    }
    case 'openinference': {
      const attrs: Attrs = { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-test', 'llm.provider': 'openai' };
      openAIMessages(plan).forEach((message, i) => {
        const at = `llm.input_messages.${i}.message`;
        attrs[`${at}.role`] = message.role;
        if (message.content !== undefined) attrs[`${at}.content`] = message.content;
        if (message.tool_call_id !== undefined) attrs[`${at}.tool_call_id`] = message.tool_call_id;
        (message.tool_calls as { id: string; function: { name: string; arguments: string } }[] | undefined)?.forEach((call, j) => {
          attrs[`${at}.tool_calls.${j}.tool_call.id`] = call.id;
          attrs[`${at}.tool_calls.${j}.tool_call.function.name`] = call.function.name;
          attrs[`${at}.tool_calls.${j}.tool_call.function.arguments`] = call.function.arguments;
        });
      });
      attrs['llm.output_messages.0.message.role'] = 'assistant';
      attrs['llm.output_messages.0.message.content'] = plan.reply;
      return span(plan.chatSpanId, 'ChatOpenAI', CLIENT, step, attrs);
    }
    case 'openllmetry-legacy': {
      const attrs: Attrs = { 'llm.request.type': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-test' };
      openAIMessages(plan).forEach((message, i) => {
        const at = `gen_ai.prompt.${i}`;
        attrs[`${at}.role`] = message.role;
        if (message.content !== undefined) attrs[`${at}.content`] = message.content;
        if (message.tool_call_id !== undefined) attrs[`${at}.tool_call_id`] = message.tool_call_id;
        (message.tool_calls as { id: string; function: { name: string; arguments: string } }[] | undefined)?.forEach((call, j) => {
          attrs[`${at}.tool_calls.${j}.id`] = call.id;
          attrs[`${at}.tool_calls.${j}.name`] = call.function.name;
          attrs[`${at}.tool_calls.${j}.arguments`] = call.function.arguments;
        });
      });
      attrs['gen_ai.completion.0.role'] = 'assistant';
      attrs['gen_ai.completion.0.content'] = plan.reply;
      attrs['gen_ai.completion.0.finish_reason'] = 'stop';
      return span(plan.chatSpanId, 'openai.chat', CLIENT, step, attrs);
    }
  }
}
