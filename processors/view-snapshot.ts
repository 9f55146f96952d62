import type { SpanView } from '../src/model/index.ts';
import type { ConversationSnapshot, EvaluationTarget, TranscriptLine } from '../src/results/result-sink.ts';
import type { OutputMasking } from './output-masking.ts';

/**
 * The conversation as the evaluated span itself shows it: the input messages the model was
 * given (the history, this turn's tool calls and their results) and the reply. What sinks that
 * keep text (the store, the review queue) get for a failed check when no front door holds the
 * conversation — without it, a reviewer saw a score and ids but not what was said. The lines
 * follow the online buffer's: user and assistant text, tool calls as `name(args) → result`;
 * system text is left out, as there.
 */
export function snapshotOfView(view: SpanView, replyText: string, masking?: OutputMasking, earlierUserMessages: readonly string[] = []): ConversationSnapshot {
  const userMessages: string[] = [];
  const transcript: TranscriptLine[] = [];
  const callLines = new Map<string, number>();
  for (const message of view.inputMessages) {
    for (const part of message.parts) {
      if (part.type === 'text' && part.content) {
        if (message.role === 'user') userMessages.push(part.content);
        if (message.role === 'user' || message.role === 'assistant') transcript.push({ role: message.role, text: part.content });
      } else if (part.type === 'tool_call') {
        if (part.id !== undefined) callLines.set(part.id, transcript.length);
        transcript.push({ role: 'tool', text: `${part.name}(${transcriptText(part.arguments)})` });
      } else if (part.type === 'tool_call_response') {
        const at = part.id === undefined ? undefined : callLines.get(part.id);
        const result = transcriptText(part.response);
        if (at === undefined) transcript.push({ role: 'tool', text: `→ ${result}` });
        else transcript[at] = { role: 'tool', text: `${transcript[at]!.text} → ${result}` };
      }
    }
  }
  if (replyText) transcript.push({ role: 'assistant', text: replyText });
  return { userMessages: withEarlier(earlierUserMessages, userMessages), transcript, cohort: masking ? masking.cohort(view.cohort) : { ...view.cohort } };
}

/**
 * The conversation's user turns so far, then this span's that are not among them. A span
 * that records only its own turn (most instrumentations) would otherwise store one message.
 */
function withEarlier(earlier: readonly string[], own: readonly string[]): string[] {
  if (earlier.length === 0) return [...own];
  const known = new Set(earlier);
  return [...earlier, ...own.filter((text) => !known.has(text))];
}

/**
 * `target` with its `conversation` built from the view on first read, then kept. Most sinks
 * never read it (metrics, log events: in `tracejudge collect` with the default config, none
 * does), and building it serializes the history's tool results again for every failed reply.
 */
export function withConversationSnapshot(
  target: EvaluationTarget,
  view: SpanView,
  replyText: string,
  masking?: OutputMasking,
  earlierUserMessages: readonly string[] = [],
): EvaluationTarget {
  let snapshot: ConversationSnapshot | undefined;
  return Object.defineProperty({ ...target }, 'conversation', {
    enumerable: true,
    get: () => (snapshot ??= snapshotOfView(view, replyText, masking, earlierUserMessages)),
  });
}

/** A value as a transcript line shows it: text as is, the rest as JSON (never throws). */
export function transcriptText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
