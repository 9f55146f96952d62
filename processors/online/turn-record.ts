import type { SpanContext } from '@opentelemetry/api';
import type { TranscriptTurn } from '../../src/judge/evaluator.ts';
import { messageText } from '../../src/model/messages.ts';
import type { Message, ToolCall } from '../../src/model/messages.ts';
import type { SpanView } from '../../src/model/span-view.ts';

/** Where an evaluated span came from, so a child span can be written in its trace, resource and scope. */
export interface SpanOrigin {
  readonly spanContext: SpanContext;
  /** The SDK span's resource and instrumentation scope (opaque here; copied onto child spans). */
  readonly resource?: unknown;
  readonly instrumentationScope?: unknown;
}

/** One finished turn as the online buffer keeps it: the judge's transcript turn plus what metrics need. */
export interface TurnRecord {
  readonly turn: TranscriptTurn;
  readonly origin: SpanOrigin;
  readonly responseId?: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly latencyMs: number;
  /** Unix ms of the turn span's end: when what is stored of it happened (not when it was written). */
  readonly endedAtMs: number;
  /** The turn said something (a user message or a reply): an outcome marker span has none. */
  readonly hasContent: boolean;
  /** Characters kept, for the buffer's memory bounds. */
  readonly chars: number;
}

export interface TurnParts {
  readonly turn: SpanView;
  readonly children: readonly SpanView[];
  readonly origin: SpanOrigin;
  readonly latencyMs: number;
  readonly endedAtMs: number;
  readonly maxValueChars: number;
}

/**
 * The transcript turn from a turn span and the spans that ended under it. An
 * `invoke_agent` span states the user's message and the reply; tools come from
 * `execute_tool` children (they carry results), else from the calls a model
 * requested. A chat span that is its own turn (no agent span) carries the
 * whole history as input: its turn is the user messages after the last reply.
 */
export function turnRecordOf(parts: TurnParts): TurnRecord {
  const { turn, children, maxValueChars } = parts;
  const cut = (text: string): string => (text.length > maxValueChars ? `${text.slice(0, maxValueChars)}… [cut, ${text.length} chars]` : text);
  const chats = children.filter((view) => view.operation === 'chat');
  const userMessages = (turn.operation === 'chat' ? trailingUserMessages(turn.inputMessages) : textsOf(turn.inputMessages, 'user')).map(cut);
  let replies = textsOf(turn.outputMessages, 'assistant');
  if (replies.length === 0) {
    // The last model call that answered in text is the reply.
    for (const chat of chats) {
      const texts = textsOf(chat.outputMessages, 'assistant');
      if (texts.length > 0) replies = texts;
    }
  }
  const executed = children.filter((view) => view.operation === 'execute_tool').flatMap((view) => view.toolCalls);
  const requested = executed.length > 0 ? [] : [...turn.toolCalls, ...chats.flatMap((view) => view.toolCalls)];
  let chars = 0;
  const toolCalls = [...executed, ...requested].map((call) => {
    const kept = boundedCall(call, maxValueChars);
    chars += kept.chars;
    return kept.call;
  });
  const assistantReplies = replies.map(cut);
  for (const text of [...userMessages, ...assistantReplies]) chars += text.length;
  let inputTokens = 0;
  let outputTokens = 0;
  for (const view of chats.length > 0 ? chats : [turn]) {
    inputTokens += view.usage.inputTokens ?? 0;
    outputTokens += view.usage.outputTokens ?? 0;
  }
  const responseId = turn.responseId ?? chats.at(-1)?.responseId;
  return {
    turn: { userMessages, toolCalls, assistantReplies, traceId: turn.span.traceId, spanId: turn.span.spanId },
    origin: parts.origin,
    ...(responseId !== undefined && { responseId }),
    inputTokens,
    outputTokens,
    latencyMs: parts.latencyMs,
    endedAtMs: parts.endedAtMs,
    hasContent: userMessages.length > 0 || assistantReplies.length > 0,
    chars,
  };
}

function textsOf(messages: readonly Message[], role: string): string[] {
  const texts: string[] = [];
  for (const message of messages) {
    if (message.role !== role) continue;
    const text = messageText(message);
    if (text) texts.push(text);
  }
  return texts;
}

function trailingUserMessages(messages: readonly Message[]): string[] {
  let start = messages.length;
  while (start > 0 && messages[start - 1].role !== 'assistant') start--;
  return textsOf(messages.slice(start), 'user');
}

/** Tool arguments and results can be large documents: anything past the cap is kept as cut JSON text. */
function boundedCall(call: ToolCall, maxChars: number): { call: ToolCall; chars: number } {
  const args = boundedValue(call.arguments, maxChars);
  const result = boundedValue(call.result, maxChars);
  const kept: ToolCall = {
    name: call.name,
    ...(call.id !== undefined && { id: call.id }),
    ...(args.value !== undefined && { arguments: args.value }),
    ...(result.value !== undefined && { result: result.value }),
  };
  return { call: kept, chars: call.name.length + args.chars + result.chars };
}

function boundedValue(value: unknown, maxChars: number): { value: unknown; chars: number } {
  if (value === undefined || value === null) return { value, chars: 0 };
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value));
  } catch {
    text = String(value);
  }
  if (text.length <= maxChars) return { value, chars: text.length };
  return { value: `${text.slice(0, maxChars)}… [cut, ${text.length} chars]`, chars: maxChars };
}
