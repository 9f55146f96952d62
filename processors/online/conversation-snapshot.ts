import type { ConversationSnapshot, TranscriptLine } from '../../src/results/result-sink.ts';
import type { OutputMasking } from '../output-masking.ts';
import { transcriptText } from '../view-snapshot.ts';
import type { ConversationState } from './conversation-buffer.ts';

/**
 * The conversation as the online buffer holds it, up to the turn whose span is `spanId` when
 * that is one of its turns (a judge result), else every turn seen so far (a check result names
 * a child span). Not masked, except the cohort values `masking` hashes (ids that carry personal data).
 */
export function snapshotOfState(state: ConversationState, spanId: string, masking: OutputMasking | undefined): ConversationSnapshot {
  const at = state.turns.findIndex((record) => record.origin.spanContext.spanId === spanId);
  const turns = (at >= 0 ? state.turns.slice(0, at + 1) : state.turns).map((record) => record.turn);
  const transcript: TranscriptLine[] = [];
  for (const turn of turns) {
    for (const text of turn.userMessages) transcript.push({ role: 'user', text });
    for (const call of turn.toolCalls) transcript.push({ role: 'tool', text: `${call.name}(${transcriptText(call.arguments)}) → ${transcriptText(call.result)}` });
    for (const text of turn.assistantReplies) transcript.push({ role: 'assistant', text });
  }
  return {
    userMessages: turns.flatMap((turn) => turn.userMessages),
    transcript,
    cohort: masking ? masking.cohort(state.cohort) : { ...state.cohort },
    ...(state.sampling && { stratum: state.sampling.stratum, weight: state.sampling.weight }),
  };
}
