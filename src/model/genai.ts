import { GenAI } from './attributes.ts';
import { decodeBestEffort, decodeStructured, describeType, isRecord, readCount, readString, UNREADABLE } from './decode.ts';
import type { ReadContext } from './decode.ts';
import { requestedToolCalls, toolNameFromSpanName } from './draft.ts';
import type { Draft } from './draft.ts';
import { readMessages, readSystemInstructions } from './genai-messages.ts';
import { readInputMessages } from './history-memo.ts';
import type { Message, ToolCall } from './messages.ts';
import { ContentMemo } from './content-memo.ts';
import { decodeToolResult } from './known-tool-results.ts';
import { toolCall } from './shapes.ts';
import type { Attributes } from './span-record.ts';

/** GenAI semantic conventions (REFERENCE.md): the first and preferred spelling. */
export function readGenAI(attributes: Attributes, draft: Draft, ctx: ReadContext): void {
  const a = attributes;
  draft.agentName = readString(GenAI.AGENT_NAME, a[GenAI.AGENT_NAME], ctx);
  // `gen_ai.system` was replaced by `gen_ai.provider.name` in 1.37; older writers still send it.
  draft.provider = readString(GenAI.PROVIDER_NAME, a[GenAI.PROVIDER_NAME], ctx) ?? readString(GenAI.SYSTEM, a[GenAI.SYSTEM], ctx);
  draft.requestModel = readString(GenAI.REQUEST_MODEL, a[GenAI.REQUEST_MODEL], ctx);
  draft.responseModel = readString(GenAI.RESPONSE_MODEL, a[GenAI.RESPONSE_MODEL], ctx);
  draft.responseId = readString(GenAI.RESPONSE_ID, a[GenAI.RESPONSE_ID], ctx);
  draft.inputTokens =
    readCount(GenAI.USAGE_INPUT_TOKENS, a[GenAI.USAGE_INPUT_TOKENS], ctx) ??
    readCount(GenAI.USAGE_PROMPT_TOKENS_OLD, a[GenAI.USAGE_PROMPT_TOKENS_OLD], ctx);
  draft.outputTokens =
    readCount(GenAI.USAGE_OUTPUT_TOKENS, a[GenAI.USAGE_OUTPUT_TOKENS], ctx) ??
    readCount(GenAI.USAGE_COMPLETION_TOKENS_OLD, a[GenAI.USAGE_COMPLETION_TOKENS_OLD], ctx);

  const system = a[GenAI.SYSTEM_INSTRUCTIONS];
  if (system !== undefined) draft.systemInstructions = remembered(system, systemMemo, lastSystem, ctx, () => readSystemInstructions(GenAI.SYSTEM_INSTRUCTIONS, system, ctx));
  const input = a[GenAI.INPUT_MESSAGES];
  if (input !== undefined) {
    const conversationId = a[GenAI.CONVERSATION_ID];
    draft.inputMessages = readInputMessages(GenAI.INPUT_MESSAGES, input, typeof conversationId === 'string' ? conversationId : undefined, ctx);
  }
  const output = a[GenAI.OUTPUT_MESSAGES];
  if (output !== undefined) draft.outputMessages = remembered(output, outputMemo, lastOutput, ctx, () => readMessages(GenAI.OUTPUT_MESSAGES, output, ctx, 'assistant'));

  if (draft.operation === 'execute_tool') {
    const call = readToolExecution(a, draft.spanName, ctx);
    if (call) draft.toolCalls = [call];
  } else if (draft.outputMessages.length > 0) {
    draft.toolCalls = requestedToolCalls(draft.outputMessages);
  }
  const documents = a[GenAI.RETRIEVAL_DOCUMENTS];
  if (documents !== undefined) draft.retrievedContext = readRetrievalDocuments(documents, ctx);
}

/**
 * The system prompt comes again on every chat span of a conversation, and a reply
 * on both the `invoke_agent` span and its `chat` child: read each string once.
 * Input messages grow instead of repeating: history-memo.ts extends them per conversation. Bounded at
 * 32 strings of up to 64 Ki characters each per memo (~4 MiB of text at most, each).
 */
const systemMemo = new ContentMemo<string[]>(32, 64, 65_536);
const outputMemo = new ContentMemo<Message[]>(32, 64, 65_536);

/**
 * The latest clean read of each memo, compared before the memo is asked. Each request
 * decodes fresh strings, which have no hash yet: finding the system prompt in its memo meant
 * hashing all of it (~0.7 µs for the bench's 400-character prompt, two-byte for one `’`),
 * where comparing it with the latest one costs ~0.1 µs — and a string of another length is
 * turned away at once. The same prompt on consecutive chat spans is the common case.
 */
interface LatestRead<T> {
  text: string;
  maxChars: number;
  maxItems: number;
  value: T | undefined;
}
const lastSystem: LatestRead<string[]> = { text: '', maxChars: 0, maxItems: 0, value: undefined };
const lastOutput: LatestRead<Message[]> = { text: '', maxChars: 0, maxItems: 0, value: undefined };

function remembered<T>(raw: Attributes[string], memo: ContentMemo<T>, last: LatestRead<T>, ctx: ReadContext, read: () => T): T {
  if (typeof raw !== 'string') return read();
  if (last.value !== undefined && raw === last.text && last.maxChars === ctx.maxChars && last.maxItems === ctx.maxItems) return last.value;
  let value = memo.get(raw, ctx);
  let kept = value !== undefined;
  if (value === undefined) {
    const problemsBefore = ctx.problems.length;
    value = read();
    if (ctx.problems.length !== problemsBefore) return value;
    kept = memo.set(raw, ctx, value);
  }
  // Only what the memo keeps (a clean read of a string within its bounds) becomes the latest.
  if (kept) {
    last.text = raw;
    last.maxChars = ctx.maxChars;
    last.maxItems = ctx.maxItems;
    last.value = value;
  }
  return value;
}

/** An execute_tool span is one call: name, arguments and result, decoded best-effort. */
function readToolExecution(a: Attributes, spanName: string, ctx: ReadContext): ToolCall | undefined {
  const name = readString(GenAI.TOOL_NAME, a[GenAI.TOOL_NAME], ctx);
  const id = readString(GenAI.TOOL_CALL_ID, a[GenAI.TOOL_CALL_ID], ctx);
  const rawArgs = a[GenAI.TOOL_CALL_ARGUMENTS];
  const rawResult = a[GenAI.TOOL_CALL_RESULT];
  if (name === undefined && id === undefined && rawArgs === undefined && rawResult === undefined) return undefined;
  return toolCall(
    id,
    name ?? toolNameFromSpanName(spanName),
    decodeBestEffort(GenAI.TOOL_CALL_ARGUMENTS, rawArgs, ctx),
    decodeToolResult(GenAI.TOOL_CALL_RESULT, rawResult, ctx),
  );
}

/** `gen_ai.retrieval.documents`: `[{id, score, content?}]`; only documents with content ground anything. */
function readRetrievalDocuments(raw: Attributes[string], ctx: ReadContext): string[] {
  const decoded = decodeStructured(GenAI.RETRIEVAL_DOCUMENTS, raw, ctx);
  if (decoded === UNREADABLE || decoded === null) return [];
  if (!Array.isArray(decoded)) {
    ctx.problems.push(`${GenAI.RETRIEVAL_DOCUMENTS}: expected an array of documents, got ${describeType(decoded)}`);
    return [];
  }
  const texts: string[] = [];
  for (let i = 0; i < decoded.length && i < ctx.maxItems; i++) {
    const document: unknown = decoded[i];
    const content = isRecord(document) ? (document.content ?? document.text) : document;
    if (typeof content === 'string' && content) texts.push(content);
  }
  return texts;
}
