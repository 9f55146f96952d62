import { RecencyMap } from './recency-map.ts';
import type { ReadContext } from './decode.ts';
import { readMessages } from './genai-messages.ts';
import { sourceTextOf } from './known-tool-results.ts';
import type { Message } from './messages.ts';
import type { AttributeValue } from './span-record.ts';

/**
 * A chat span's input messages, read once per conversation and extended afterwards.
 *
 * An agent sends the model the conversation so far on every call, and instrumentations record
 * it whole on each chat span: the input of call n is the input of call n−1 plus what happened
 * since (the reply, tool calls and results, the next user message). Reading it whole every
 * time made a conversation's evaluation quadratic in its length (bench: "long conversation").
 * Here the last clean read of each conversation's input is kept with its JSON text; an input
 * that is that text without its closing `]`, then `,` and more messages, reuses the messages
 * read before and reads only the rest. The same text again is the same read.
 *
 * Exactness comes from the text, not from the key: the previous text must be a prefix of the
 * new one, character for character, and JSON arrays read element after element, so the result
 * is what reading the whole text gives. Only clean reads are kept and extended (no problem
 * noted, all within `maxItems`), so a malformed input is read whole and reported as before.
 *
 * Grounding needs each tool answer as text. Answers read earlier were parsed from text that is
 * gone by now (the slots of known-tool-results.ts hold the latest few), and serializing them
 * again cost about what the parse saved: a kept read carries the text of each of its answers,
 * and `historySourceText` hands them to grounding for the input served last.
 */
interface HistoryRead {
  readonly text: string;
  /** `text` without its closing bracket: what an extension starts with. */
  readonly body: string;
  readonly messages: readonly Message[];
  /** Each tool answer object of `messages` → the JSON text grounding reads for it. */
  readonly sourceTexts: Map<unknown, string>;
  /** Characters of `sourceTexts`, counted with the text against the bound. */
  readonly sourceChars: number;
  readonly maxChars: number;
  readonly maxItems: number;
}

/** Conversations whose last input is kept, least recently read out first. */
const MAX_CONVERSATIONS = 8_192;
/** Characters of input and answer text kept over all conversations (plus what they were read as). */
const MAX_TOTAL_CHARS = 32 * 1024 * 1024;
/** Shorter inputs are read again rather than kept. */
const MIN_CHARS = 256;

const reads = new RecencyMap<string, HistoryRead>();
let totalChars = 0;
/** The answer texts of the input served last (grounding reads the view it was read for next). */
let served: Map<unknown, string> | undefined;

/** The text of a tool answer of the input messages served last, when kept. */
export function historySourceText(value: unknown): string | undefined {
  return served?.get(value);
}

/** `readMessages` of a conversation's input messages, reusing its previous read when the text extends it. */
export function readInputMessages(name: string, raw: AttributeValue, conversationId: string | undefined, ctx: ReadContext): Message[] {
  served = undefined;
  if (conversationId === undefined || typeof raw !== 'string' || raw.length < MIN_CHARS || raw.length > ctx.maxChars) {
    return readMessages(name, raw, ctx);
  }
  const previous = reads.get(conversationId);
  if (previous !== undefined && previous.maxChars === ctx.maxChars && previous.maxItems === ctx.maxItems) {
    // A fresh array: views hand their lists on, and nobody may grow the kept one.
    if (raw === previous.text) {
      served = previous.sourceTexts;
      return [...previous.messages];
    }
    const extended = extensionOf(name, previous, raw, ctx);
    if (extended !== undefined) {
      // The previous read is replaced: its answer texts carry over.
      keep(conversationId, raw, extended, previous.sourceTexts, previous.sourceChars, previous.messages.length, ctx);
      return [...extended];
    }
  }
  const problemsBefore = ctx.problems.length;
  const messages = readMessages(name, raw, ctx);
  if (ctx.problems.length === problemsBefore) keep(conversationId, raw, messages, new Map(), 0, 0, ctx);
  return messages;
}

/** The previous read plus the messages after it, when `raw` is `previous.body + ',' + more + ']'` and all of it reads cleanly. */
function extensionOf(name: string, previous: HistoryRead, raw: string, ctx: ReadContext): Message[] | undefined {
  const at = previous.body.length;
  // `slice ===` rather than `startsWith`: V8 compares equal-length flat strings like memcmp, but
  // walks `startsWith` character by character (~35 µs against ~1 µs for a 35 KB history).
  if (raw.length <= at + 1 || raw.charCodeAt(at) !== 0x2c /* , */ || raw.slice(0, at) !== previous.body) return undefined;
  const room = ctx.maxItems - previous.messages.length;
  if (room <= 0) return undefined;
  // Problems are noted by the whole read instead, with the messages' real positions.
  const scratch: ReadContext = { problems: [], maxChars: ctx.maxChars, maxItems: room };
  const added = readMessages(name, `[${raw.slice(at + 1)}`, scratch);
  if (scratch.problems.length > 0 || added.length === 0) return undefined;
  return [...previous.messages, ...added];
}

/** Keeps `messages` as the conversation's read, with the texts of the answers from `textsFrom` on added to `sourceTexts`. */
function keep(
  conversationId: string,
  text: string,
  messages: readonly Message[],
  sourceTexts: Map<unknown, string>,
  sourceCharsBefore: number,
  textsFrom: number,
  ctx: ReadContext,
): void {
  const old = reads.get(conversationId);
  if (old !== undefined) {
    reads.delete(conversationId);
    totalChars -= old.text.length + old.sourceChars;
  }
  // Only a non-empty array can be extended: "[" + "," + … is not JSON.
  if (messages.length === 0 || text.charCodeAt(0) !== 0x5b /* [ */ || text.charCodeAt(text.length - 1) !== 0x5d /* ] */) return;
  let sourceChars = sourceCharsBefore;
  for (let i = textsFrom; i < messages.length; i++) {
    for (const part of messages[i].parts) {
      if (part.type !== 'tool_call_response' || typeof part.response !== 'object' || part.response === null || sourceTexts.has(part.response)) continue;
      const answer = sourceTextOf(part.response);
      sourceTexts.set(part.response, answer);
      sourceChars += answer.length;
    }
  }
  served = sourceTexts;
  reads.set(conversationId, { text, body: text.slice(0, -1), messages, sourceTexts, sourceChars, maxChars: ctx.maxChars, maxItems: ctx.maxItems });
  totalChars += text.length + sourceChars;
  while (reads.size > MAX_CONVERSATIONS || totalChars > MAX_TOTAL_CHARS) {
    const oldest = reads.oldestKey() as string;
    const dropped = reads.get(oldest) as HistoryRead;
    totalChars -= dropped.text.length + dropped.sourceChars;
    reads.delete(oldest);
  }
}
