import { GenAI, OpenInference, OpenLLMetry } from './attributes.ts';
import { describeType } from './decode.ts';
import type { ReadContext } from './decode.ts';
import type { Attributes } from './span-record.ts';
import type { SpanOperation } from './span-view.ts';

/** `gen_ai.operation.name` values, and the span-name prefixes semconv derives from them. */
const GENAI_OPERATIONS: Readonly<Record<string, SpanOperation>> = {
  invoke_agent: 'invoke_agent',
  create_agent: 'other',
  chat: 'chat',
  text_completion: 'chat',
  generate_content: 'chat',
  execute_tool: 'execute_tool',
  retrieval: 'retrieval',
  embeddings: 'embeddings',
  invoke_workflow: 'workflow',
};

const OPENINFERENCE_KINDS: Readonly<Record<string, SpanOperation>> = {
  LLM: 'chat',
  TOOL: 'execute_tool',
  AGENT: 'invoke_agent',
  RETRIEVER: 'retrieval',
  EMBEDDING: 'embeddings',
  CHAIN: 'workflow',
};

/** A task is a step of a workflow: nothing in our model tells them apart. */
const TRACELOOP_KINDS: Readonly<Record<string, SpanOperation>> = {
  workflow: 'workflow',
  task: 'workflow',
  agent: 'invoke_agent',
  tool: 'execute_tool',
};

const REQUEST_TYPES: Readonly<Record<string, SpanOperation>> = {
  chat: 'chat',
  completion: 'chat',
  embedding: 'embeddings',
};

/**
 * `GENAI_OPERATIONS` for the value every GenAI span carries. A switch compares lengths, then
 * characters; the table lookup hashed each freshly decoded value first (~2% of normalization).
 */
function declaredOperation(value: string): SpanOperation {
  switch (value) {
    case 'chat':
    case 'text_completion':
    case 'generate_content':
      return 'chat';
    case 'execute_tool':
      return 'execute_tool';
    case 'invoke_agent':
      return 'invoke_agent';
    case 'retrieval':
      return 'retrieval';
    case 'embeddings':
      return 'embeddings';
    case 'invoke_workflow':
      return 'workflow';
    default:
      return 'other';
  }
}

function lookup(table: Readonly<Record<string, SpanOperation>>, value: unknown): SpanOperation | undefined {
  return typeof value === 'string' && Object.hasOwn(table, value) ? table[value] : undefined;
}

/**
 * Semconv first: an explicit `gen_ai.operation.name` decides, even an unknown one
 * (then `other`). Then the span name (`{operation} {model}`), then the other
 * instrumentations' span kinds.
 */
export function operationOf(name: string, attributes: Attributes, ctx: ReadContext): SpanOperation {
  const declared = attributes[GenAI.OPERATION_NAME];
  if (typeof declared === 'string') return declaredOperation(declared);
  if (declared !== undefined && declared !== null) {
    ctx.problems.push(`${GenAI.OPERATION_NAME}: expected a string, got ${describeType(declared)}; ignored`);
  }
  const space = name.indexOf(' ');
  const fromName = lookup(GENAI_OPERATIONS, space < 0 ? name : name.slice(0, space));
  if (fromName !== undefined) return fromName;
  const oiKind = attributes[OpenInference.SPAN_KIND];
  if (oiKind !== undefined) return lookup(OPENINFERENCE_KINDS, typeof oiKind === 'string' ? oiKind.toUpperCase() : oiKind) ?? 'other';
  return (
    lookup(TRACELOOP_KINDS, attributes[OpenLLMetry.SPAN_KIND]) ?? lookup(REQUEST_TYPES, attributes[OpenLLMetry.REQUEST_TYPE]) ?? 'other'
  );
}
