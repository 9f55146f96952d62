import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstrumentationUsageError, startConversation, traceTool } from '../../instrumentation/index.ts';
import type { ConversationOptions } from '../../instrumentation/index.ts';
import { App, GenAI } from '../../src/model/attributes.ts';
import { captureDiag, parentOf, startTracing } from './tracing-harness.ts';
import type { DiagCapture, Tracing } from './tracing-harness.ts';

/** Malformed input from application code: warned about by name, never thrown, nothing else lost. */

let tracing: Tracing;
let diagnostics: DiagCapture;
beforeEach(() => {
  tracing = startTracing();
  diagnostics = captureDiag();
});
afterEach(async () => {
  diagnostics.restore();
  await tracing.provider.shutdown();
});

const loose = (options: Record<string, unknown>): ConversationOptions => options as unknown as ConversationOptions;

describe('conversation options', () => {
  it('a missing id is warned about; the turn still runs and its span carries no conversation id', async () => {
    const conversation = startConversation(loose({ agentName: 'a', tracerProvider: tracing.provider }));
    expect(await conversation.turn('hi', () => 'hello')).toBe('hello');
    expect(conversation.id).toBeUndefined();
    expect(diagnostics.warnings.some((w) => w.includes('startConversation "id"') && w.includes('got undefined'))).toBe(true);
    const turn = tracing.one('invoke_agent a');
    expect(turn.attributes[GenAI.CONVERSATION_ID]).toBeUndefined();
    expect(turn.attributes[GenAI.OPERATION_NAME]).toBe('invoke_agent');
  });

  it('an id of the wrong type or an empty id is named in the warning', () => {
    startConversation(loose({ id: 42, tracerProvider: tracing.provider }));
    startConversation(loose({ id: '', tracerProvider: tracing.provider }));
    expect(diagnostics.warnings.some((w) => w.includes('"id"') && w.includes('got number'))).toBe(true);
    expect(diagnostics.warnings.some((w) => w.includes('"id"') && w.includes('got an empty string'))).toBe(true);
  });

  it('non-object options, an unknown scope and a non-boolean captureContent fall back to defaults with warnings', async () => {
    expect(() => startConversation(undefined as unknown as ConversationOptions)).not.toThrow();
    const conversation = startConversation(
      loose({ id: 'c1', agentName: 'a', scope: 'one-big-trace', captureContent: 'yes', tracerProvider: tracing.provider }),
    );
    expect(conversation.scope).toBe('per-turn-trace');
    await conversation.turn('hello', () => 'hi');
    expect(tracing.one('invoke_agent a').attributes[GenAI.INPUT_MESSAGES]).toBeDefined();
    expect(diagnostics.warnings.some((w) => w.includes('options must be an object'))).toBe(true);
    expect(diagnostics.warnings.some((w) => w.includes('"scope"') && w.includes('"one-big-trace"'))).toBe(true);
    expect(diagnostics.warnings.some((w) => w.includes('"captureContent"') && w.includes('got string'))).toBe(true);
  });

  it('cohort and attribute values of the wrong type are dropped by name; the valid ones are kept', async () => {
    const conversation = startConversation(
      loose({
        id: 'c2',
        agentName: 'a',
        cohort: { vertical: { name: 'clinic' }, language: 'es', score: Number.NaN, plan: 'pro' },
        attributes: { 'app.flow.age_days': 12, callback: () => 1, mixed: [1, 'a'], when: new Date(0), tags: ['x', 'y'] },
        systemInstructions: 7,
        tracerProvider: tracing.provider,
      }),
    );
    await conversation.turn('hi', () => 'ok');
    const turn = tracing.one('invoke_agent a');
    expect(turn.attributes).toMatchObject({ [App.LANGUAGE]: 'es', 'app.plan': 'pro', 'app.flow.age_days': 12, tags: ['x', 'y'] });
    for (const dropped of [App.VERTICAL, 'app.score', 'callback', 'mixed', 'when']) expect(turn.attributes[dropped]).toBeUndefined();
    expect(turn.attributes[GenAI.SYSTEM_INSTRUCTIONS]).toBeUndefined();
    const expected = [
      ['cohort.vertical', 'got object'],
      ['cohort.score', 'got NaN'],
      ['attributes.callback', 'got function'],
      ['attributes.mixed', 'got array'],
      ['attributes.when', 'got Date'],
      ['"systemInstructions"', 'got number'],
    ];
    for (const [field, type] of expected) {
      expect(diagnostics.warnings.some((w) => w.includes(field!) && w.includes(type!)), `${field} ${type}`).toBe(true);
    }
  });
});

describe('turn input', () => {
  it('non-string text is warned about and not recorded; the callback result is still returned', async () => {
    const conversation = startConversation({ id: 'c3', agentName: 'a', tracerProvider: tracing.provider });
    expect(await conversation.turn(42 as unknown as string, () => 'fine')).toBe('fine');
    expect(await conversation.turn({ text: ['x'] } as unknown as string, () => 'also fine')).toBe('also fine');
    const turns = tracing.named('invoke_agent a');
    expect(turns).toHaveLength(2);
    for (const turn of turns) expect(turn.attributes[GenAI.INPUT_MESSAGES]).toBeUndefined();
    expect(diagnostics.warnings.some((w) => w.includes('"input"') && w.includes('got number'))).toBe(true);
    expect(diagnostics.warnings.some((w) => w.includes('"input.text"') && w.includes('got array'))).toBe(true);
  });

  it('a { text, attributes } input records both', async () => {
    const conversation = startConversation({ id: 'c4', agentName: 'a', tracerProvider: tracing.provider });
    await conversation.turn({ text: 'hola', attributes: { 'app.channel': 'whatsapp' } }, () => 'hi');
    const turn = tracing.one('invoke_agent a');
    expect(turn.attributes['app.channel']).toBe('whatsapp');
    expect(JSON.parse(turn.attributes[GenAI.INPUT_MESSAGES] as string)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hola' }] }]);
  });

  it('a missing callback rejects with an InstrumentationUsageError naming "fn" and starts no span', async () => {
    const conversation = startConversation({ id: 'c5', agentName: 'a', tracerProvider: tracing.provider });
    const attempt = conversation.turn('hi', undefined as unknown as () => string);
    await expect(attempt).rejects.toBeInstanceOf(InstrumentationUsageError);
    await expect(attempt).rejects.toThrow('conversation.turn: "fn" must be a function, got undefined');
    expect(tracing.spans()).toHaveLength(0);
  });

  it('reply and setAttributes with bad values, and after the turn ended, warn and do not throw', async () => {
    const conversation = startConversation({ id: 'c6', agentName: 'a', tracerProvider: tracing.provider });
    let kept: Parameters<Parameters<typeof conversation.turn>[1]>[0] | undefined;
    await conversation.turn('hi', (turn) => {
      kept = turn;
      turn.reply(123 as unknown as string);
      turn.setAttributes({ 'app.ok': true, bad: Symbol('x') as unknown as string });
      turn.reply('real answer');
    });
    expect(() => kept!.reply('too late')).not.toThrow();
    expect(() => kept!.setAttributes({ 'app.late': 1 })).not.toThrow();
    const turn = tracing.one('invoke_agent a');
    expect(turn.attributes['app.ok']).toBe(true);
    expect(turn.attributes.bad).toBeUndefined();
    expect(JSON.parse(turn.attributes[GenAI.OUTPUT_MESSAGES] as string)[0].parts).toEqual([{ type: 'text', content: 'real answer' }]);
    expect(diagnostics.warnings.some((w) => w.includes('turn.reply: "text" must be a string, got number'))).toBe(true);
    expect(diagnostics.warnings.some((w) => w.includes('turn.setAttributes.bad') && w.includes('got symbol'))).toBe(true);
    expect(diagnostics.warnings.some((w) => w.includes('turn.reply: the turn has already ended'))).toBe(true);
  });

  it('outcome calls with bad values warn and record nothing', async () => {
    const conversation = startConversation({ id: 'c7', agentName: 'a', tracerProvider: tracing.provider });
    await conversation.turn('hi', () => {
      conversation.outcome.feedback('meh' as 'positive');
      conversation.outcome.record('not a name!');
      conversation.outcome.record('score', { nested: true } as unknown as number);
      conversation.outcome.record('csat', 4);
    });
    const turn = tracing.one('invoke_agent a');
    expect(turn.attributes[App.USER_FEEDBACK]).toBeUndefined();
    expect(turn.attributes['app.csat']).toBe(4);
    expect(turn.events.map((event) => event.attributes?.[App.OUTCOME_NAME])).toEqual(['csat']);
    expect(diagnostics.warnings.some((w) => w.includes('feedback: expected "positive" or "negative", got "meh"'))).toBe(true);
    expect(diagnostics.warnings.some((w) => w.includes('record: "name"') && w.includes('"not a name!"'))).toBe(true);
    expect(diagnostics.warnings.some((w) => w.includes('record(score): "value"') && w.includes('got object'))).toBe(true);
  });
});

describe('tools', () => {
  it('a throwing tool marks its span ERROR and the same error reaches the caller', async () => {
    const conversation = startConversation({ id: 'c8', agentName: 'a', tracerProvider: tracing.provider });
    const outage = new TypeError('calendar API down');
    let caught: unknown;
    await conversation.turn('book', async (turn) => {
      try {
        await turn.tool('book_slot', { slot: 'tue-10' }, () => {
          throw outage;
        });
      } catch (error) {
        caught = error;
      }
      return 'sorry';
    });
    expect(caught).toBe(outage);
    const tool = tracing.one('execute_tool book_slot');
    expect(tool.status).toEqual({ code: SpanStatusCode.ERROR, message: 'calendar API down' });
    expect(tool.attributes['error.type']).toBe('TypeError');
    expect(tool.attributes[GenAI.TOOL_CALL_RESULT]).toBeUndefined();
    expect(tool.events.some((event) => event.name === 'exception')).toBe(true);
    // the turn caught it: the turn itself did not fail
    expect(tracing.one('invoke_agent a').status.code).toBe(SpanStatusCode.UNSET);
  });

  it('an uncaught tool error fails the tool and the turn with the same error', async () => {
    const conversation = startConversation({ id: 'c9', agentName: 'a', tracerProvider: tracing.provider });
    const outage = new Error('boom');
    await expect(conversation.turn('x', (turn) => turn.tool('t', null, () => Promise.reject(outage)))).rejects.toBe(outage);
    expect(tracing.one('execute_tool t').status.code).toBe(SpanStatusCode.ERROR);
    expect(tracing.one('invoke_agent a').status.code).toBe(SpanStatusCode.ERROR);
  });

  it('a missing tool callback rejects naming "fn"; a bad tool name is warned about and the tool still runs', async () => {
    const conversation = startConversation({ id: 'c10', agentName: 'a', tracerProvider: tracing.provider });
    await conversation.turn('x', async (turn) => {
      await expect(turn.tool('t', {}, 'nope' as unknown as () => void)).rejects.toThrow('tool: "fn" must be a function, got string');
      expect(await turn.tool(undefined as unknown as string, {}, () => 'ran')).toBe('ran');
      await turn.tool('ok', {}, () => 1, { callId: 5 as unknown as string });
    });
    const unnamed = tracing.one('execute_tool');
    expect(unnamed.attributes[GenAI.TOOL_NAME]).toBeUndefined();
    expect(tracing.one('execute_tool ok').attributes[GenAI.TOOL_CALL_ID]).toBeUndefined();
    expect(diagnostics.warnings.some((w) => w.includes('tool "name"') && w.includes('got undefined'))).toBe(true);
    expect(diagnostics.warnings.some((w) => w.includes('callId') && w.includes('got number'))).toBe(true);
  });

  it('traceTool outside any conversation records arguments and result, and no conversation id', async () => {
    const result = await traceTool('convert', { eur: 10 }, (args) => args.eur * 1.1, { tracerProvider: tracing.provider });
    expect(result).toBeCloseTo(11);
    const tool = tracing.one('execute_tool convert');
    expect(parentOf(tool)).toBeUndefined();
    expect(tool.attributes[GenAI.CONVERSATION_ID]).toBeUndefined();
    expect(tool.attributes[GenAI.TOOL_CALL_ARGUMENTS]).toBe('{"eur":10}');
    expect(tool.attributes[GenAI.TOOL_CALL_RESULT]).toBe('11');
  });

  it('an unserializable tool result does not throw; a string result is recorded as given', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await traceTool('cyclic', 'raw text args', () => cyclic, { tracerProvider: tracing.provider });
    const tool = tracing.one('execute_tool cyclic');
    expect(tool.attributes[GenAI.TOOL_CALL_ARGUMENTS]).toBe('raw text args');
    expect(JSON.parse(tool.attributes[GenAI.TOOL_CALL_RESULT] as string)).toHaveProperty('unserializable');
  });
});
