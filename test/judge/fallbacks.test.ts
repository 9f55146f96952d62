import { afterEach, describe, expect, it } from 'vitest';
import { chatCompletion, type OpenAITestServer, type RecordedRequest, type ScriptedReply } from '../support/openai-test-server.ts';
import { answer, bookingConversation, completionWith, judgeOn, judgeRequests, startJudgeServer } from './fixtures.ts';

let server: OpenAITestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const formatOf = (request: RecordedRequest): string => request.body.response_format?.type ?? 'none';

/** A server without structured outputs, answering as vLLM/OpenAI do: 400 naming response_format. */
function rejectsJsonSchema(reply: (request: RecordedRequest) => ScriptedReply) {
  return (request: RecordedRequest): ScriptedReply =>
    formatOf(request) === 'json_schema'
      ? { status: 400, json: { error: { message: "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", type: 'invalid_request_error', param: 'response_format', code: null } } }
      : reply(request);
}

describe('response-format fallbacks', () => {
  it('steps down to json_object mode when the server rejects json_schema with a 400, and remembers it', async () => {
    server = await startJudgeServer(rejectsJsonSchema(() => completionWith(answer(4, 'faithful'))));
    const judge = judgeOn(server);
    const [first] = await judge.evaluate(bookingConversation());
    expect(first).toMatchObject({ name: 'faithfulness', score: 0.75, label: 'faithful' });
    expect(first.details?.['judge.response_format']).toBe('json_object');
    expect(judgeRequests(server).map(formatOf)).toEqual(['json_schema', 'json_object']);

    // The next evaluation starts where the server can answer: no second rejected request.
    await judge.evaluate(bookingConversation());
    expect(judgeRequests(server).map(formatOf)).toEqual(['json_schema', 'json_object', 'json_object']);
    expect(judge.stats().responseFormat).toBe('json_object');
  });

  it('steps down to no response_format when json_object is rejected too (422), and reads the JSON from text', async () => {
    server = await startJudgeServer((request) =>
      formatOf(request) === 'none'
        ? completionWith(`Here is my evaluation:\n${answer(2, 'unfaithful', 'The deposit is not in any tool result.')}\nThanks.`)
        : { status: 422, json: { detail: 'response_format is not supported by this backend' } },
    );
    const [result] = await judgeOn(server).evaluate(bookingConversation());
    expect(result).toMatchObject({ score: 0.25, label: 'unfaithful', explanation: 'The deposit is not in any tool result.' });
    expect(judgeRequests(server).map(formatOf)).toEqual(['json_schema', 'json_object', 'none']);
    expect(result.details?.['judge.response_format']).toBe('text');
  });

  it('extracts an answer wrapped in code fences when the server ignores response_format', async () => {
    server = await startJudgeServer(() => completionWith('```json\n' + answer(5, 'faithful', 'All claims grounded {as required}.') + '\n```'));
    const [result] = await judgeOn(server).evaluate(bookingConversation());
    // json_schema: the fenced text is not JSON, so `parse` cannot fill `parsed` → json_object, where the text is read tolerantly.
    expect(result).toMatchObject({ score: 1, label: 'faithful', explanation: 'All claims grounded {as required}.' });
    expect(judgeRequests(server).map(formatOf)).toEqual(['json_schema', 'json_object']);
  });

  it('steps down when a 200 answer has neither parsed content nor a refusal (content null)', async () => {
    server = await startJudgeServer((request) => (formatOf(request) === 'json_schema' ? completionWith(null) : completionWith(answer(3, 'partially_faithful'))));
    const [result] = await judgeOn(server).evaluate(bookingConversation());
    expect(result).toMatchObject({ score: 0.5, label: 'partially_faithful' });
    expect(judgeRequests(server).map(formatOf)).toEqual(['json_schema', 'json_object']);
  });

  it('garbage content is a judge_invalid_output result, not a crash', async () => {
    server = await startJudgeServer(() => completionWith('I think the assistant did fine overall!!'));
    const [result] = await judgeOn(server).evaluate(bookingConversation());
    expect(result.score).toBeUndefined();
    expect(result.error?.type).toBe('judge_invalid_output');
    expect(result.error?.message).toContain('no JSON object');
  });

  it('a 200 body that is not a chat completion at all is judge_invalid_output', async () => {
    server = await startJudgeServer(() => ({ raw: '<html><body>Bad gateway (proxy)</body></html>', status: 200, headers: { 'content-type': 'text/html' } }));
    const [result] = await judgeOn(server).evaluate(bookingConversation());
    expect(result.error?.type).toBe('judge_invalid_output');
    expect(result.error?.message).toContain('not a chat completion');
  });

  it('a refusal (message.refusal set) is a judge_refusal result', async () => {
    server = await startJudgeServer(() => ({
      json: chatCompletion(null, { choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: "I can't help with that." }, finish_reason: 'stop', logprobs: null }] }),
    }));
    const [result] = await judgeOn(server).evaluate(bookingConversation());
    expect(result.error).toEqual({ type: 'judge_refusal', message: "the judge refused: I can't help with that." });
    expect(judgeRequests(server)).toHaveLength(1);
  });

  it('an answer cut at the token limit (finish_reason length) is judge_output_truncated', async () => {
    server = await startJudgeServer(() => ({
      json: chatCompletion('{"reasoning": "The assistant', { choices: [{ index: 0, message: { role: 'assistant', content: '{"reasoning": "The assistant', refusal: null }, finish_reason: 'length', logprobs: null }] }),
    }));
    const [result] = await judgeOn(server).evaluate(bookingConversation());
    expect(result.error?.type).toBe('judge_output_truncated');
  });

  it('text answers are validated by the same schema: a score off the scale is rejected in every mode', async () => {
    server = await startJudgeServer(rejectsJsonSchema(() => completionWith(answer(9, 'faithful'))));
    const [viaJsonObject] = await judgeOn(server).evaluate(bookingConversation());
    expect(viaJsonObject.error?.type).toBe('judge_invalid_output');
    expect(viaJsonObject.error?.message).toMatch(/score/);
  });
});

describe('response-format fallbacks are per call; only a refusal is learned, and tried again', () => {
  it('one answer that fails to parse steps that call down; the next call asks for structured output again', async () => {
    let calls = 0;
    server = await startJudgeServer(() => completionWith(calls++ === 0 ? 'not JSON at all {' : answer(4, 'faithful')));
    const judge = judgeOn(server);
    await judge.evaluate(bookingConversation());
    await judge.evaluate(bookingConversation());
    const formats = judgeRequests(server).map(formatOf);
    // Call 1: json_schema (unparseable) → json_object; call 2 starts at json_schema again.
    expect(formats.slice(0, 2)).toEqual(['json_schema', 'json_object']);
    expect(formats.at(-1)).toBe('json_schema');
    expect(judge.stats().responseFormat).toBe('json_schema');
  });

  it('a server that refuses json_schema is asked again every 100 calls, and back to structured output once it takes it', async () => {
    let acceptsSchema = false;
    server = await startJudgeServer((request) =>
      formatOf(request) === 'json_schema' && !acceptsSchema
        ? { status: 400, json: { error: { message: "'response_format' of type 'json_schema' is not supported", param: 'response_format' } } }
        : completionWith(answer(4, 'faithful')),
    );
    const judge = judgeOn(server);
    for (let i = 0; i < 100; i++) await judge.evaluate(bookingConversation());
    expect(judgeRequests(server).filter((request) => formatOf(request) === 'json_schema')).toHaveLength(1);
    acceptsSchema = true;
    await judge.evaluate(bookingConversation());
    await judge.evaluate(bookingConversation());
    expect(judgeRequests(server).slice(-2).map(formatOf)).toEqual(['json_schema', 'json_schema']);
    expect(judge.stats().responseFormat).toBe('json_schema');
  });
});
