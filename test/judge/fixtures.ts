import { chatCompletion, startOpenAITestServer, type OpenAITestServer, type RecordedRequest, type ScriptedReply, type ScriptHandler } from '../support/openai-test-server.ts';
import type { EvaluationTarget, TranscriptTurn } from '../../src/judge/evaluator.ts';
import { LlmJudge, type LlmJudgeOptions } from '../../src/judge/index.ts';

/** A booking conversation in a few lines: one tool call, one reply per turn. */
export function bookingConversation(overrides: Partial<EvaluationTarget> = {}): EvaluationTarget {
  const turns: TranscriptTurn[] = [
    { userMessages: ['Is there a table for two tonight at 8?'], toolCalls: [{ id: 'call_1', name: 'check_availability', arguments: { party: 2, time: '20:00' }, result: { available: true, deposit_eur: 20 } }], assistantReplies: ['Yes, a table for two at 20:00 is available. A 20 EUR deposit applies.'] },
    { userMessages: ['Book it please.'], toolCalls: [{ id: 'call_2', name: 'book_table', arguments: { party: 2, time: '20:00' }, result: { booking_id: 'B-1042', status: 'confirmed' } }], assistantReplies: ['Done: booking B-1042 is confirmed for 20:00.'] },
  ];
  return {
    conversationId: 'conv-1',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    responseId: 'resp-7',
    systemInstructions: ['You are the booking assistant of Trattoria Roma. Never promise a table without check_availability.'],
    turns,
    outcome: { bookingMade: true },
    cohort: { 'app.vertical': 'restaurants', 'app.language': 'en' },
    sampling: { stratum: 'tool_calls', weight: 3.3333 },
    ...overrides,
  };
}

/** Replaces the last turn's user message / tool result / reply, keeping the rest. */
export function withLastTurn(target: EvaluationTarget, turn: Partial<TranscriptTurn>): EvaluationTarget {
  const turns = [...target.turns];
  turns[turns.length - 1] = { ...turns[turns.length - 1], ...turn };
  return { ...target, turns };
}

export function answer(score: number, label: string, reasoning = 'Every claim matches the tool results.'): string {
  return JSON.stringify({ reasoning, score, label });
}

/** A structured-output answer as the API sends it: the JSON in message.content. */
export function completionWith(content: string | null, usage = { prompt_tokens: 1200, completion_tokens: 80, total_tokens: 1280 }): ScriptedReply {
  return { json: chatCompletion(content, { usage }) };
}

/** Which rubric a recorded judge request is for (from our system prompt). */
export function rubricOf(request: RecordedRequest): string {
  const system = systemOf(request);
  const match = /^Criterion: ([a-z0-9_.-]+) —/m.exec(system);
  if (!match) throw new Error('no criterion line in the system prompt');
  return match[1];
}

export function systemOf(request: RecordedRequest): string {
  return request.body.messages[0].content as string;
}

export function userOf(request: RecordedRequest): string {
  return request.body.messages[1].content as string;
}

/** The nonce of a request, read from the opening marker of its user message. */
export function nonceOf(request: RecordedRequest): string {
  const match = /<<<TRANSCRIPT-([0-9a-f]+)>>>/.exec(userOf(request));
  if (!match) throw new Error('no transcript marker in the user message');
  return match[1];
}

/** The text strictly between this request's own markers. */
export function dataBlockOf(request: RecordedRequest): { before: string; inside: string; after: string } {
  const user = userOf(request);
  const nonce = nonceOf(request);
  const open = `<<<TRANSCRIPT-${nonce}>>>`;
  const close = `<<<END-TRANSCRIPT-${nonce}>>>`;
  const start = user.indexOf(open);
  const end = user.indexOf(close);
  return { before: user.slice(0, start), inside: user.slice(start + open.length, end), after: user.slice(end + close.length) };
}

export function judgeRequests(server: OpenAITestServer): RecordedRequest[] {
  return server.requests.filter((request) => request.path.endsWith('/chat/completions'));
}

export async function startJudgeServer(handler: ScriptHandler): Promise<OpenAITestServer> {
  return startOpenAITestServer(handler);
}

/** A judge on the test server with small limits; anything can be overridden. */
export function judgeOn(server: OpenAITestServer, options: Partial<LlmJudgeOptions> = {}): LlmJudge {
  return new LlmJudge({
    model: 'gpt-4.1-mini',
    baseURL: server.baseURL,
    apiKey: 'test-key',
    timeout: 5_000,
    maxRetries: 0,
    rubrics: ['faithfulness'],
    ...options,
  });
}
