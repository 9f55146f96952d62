import { describe, expect, it } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { builtinChecks } from '../../src/checks/index.ts';
import type { Check } from '../../src/checks/index.ts';
import { resolveConfig } from '../../src/config/index.ts';
import { pipelineOptionsFromConfig } from '../../processors/index.ts';
import { runTurn } from './support/agent-spans.ts';
import { evaluationEvents, resultNamed, sdkHarness } from './support/harness.ts';

const catalog = { plan: 'Pro', monthly_price: '$129.00', currency: 'USD' };

describe('EvaluationSpanProcessor with the real SDK', () => {
  it('passes a price stated in a tool result, on the span carrying the reply', () => {
    const h = sdkHarness();
    const turn = runTurn(h.tracer, {
      conversationId: 'conv-pass',
      user: 'How much is the Pro plan?',
      tools: [{ name: 'lookup_plan', result: catalog }],
      reply: 'The Pro plan costs $129.00 per month.',
      responseId: 'chatcmpl-pass',
    });
    const price = resultNamed(h.results(turn.chatSpanId), 'commitment.price');
    expect(price['gen_ai.evaluation.score.label']).toBe('pass');
    expect(price['gen_ai.evaluation.score.value']).toBe(1);
    expect(price['tracejudge.evaluation.source']).toBe('deterministic');
    expect(price['gen_ai.response.id']).toBe('chatcmpl-pass');
    expect(price['tracejudge.conversation.id']).toBe('conv-pass');
    expect(h.processor.stats().repliesChecked).toBe(1);
  });

  it('fails a price no source states, naming the value', () => {
    const h = sdkHarness();
    const turn = runTurn(h.tracer, {
      conversationId: 'conv-fail',
      user: 'How much is the Pro plan?',
      tools: [{ name: 'lookup_plan', result: { plan: 'Pro', monthly_price: '$99.00' } }],
      reply: 'The Pro plan costs $129.00 per month.',
    });
    const price = resultNamed(h.results(turn.chatSpanId), 'commitment.price');
    expect(price['gen_ai.evaluation.score.label']).toBe('fail');
    expect(price['gen_ai.evaluation.score.value']).toBe(0);
    expect(String(price['gen_ai.evaluation.explanation'])).toContain('129');
    expect(h.processor.stats().checksFailed['commitment.price']).toBe(1);
  });

  it('grounds a reply in a tool result seen in an earlier turn (another trace) of the same conversation', () => {
    const h = sdkHarness();
    const first = runTurn(h.tracer, {
      conversationId: 'conv-across',
      user: 'What plans do you have?',
      tools: [{ name: 'lookup_plan', result: catalog }],
      reply: 'We have a Pro plan.',
    });
    const second = runTurn(h.tracer, { conversationId: 'conv-across', user: 'And its price?', reply: 'It is $129.00 a month.' });
    expect(second.traceId).not.toBe(first.traceId);
    expect(resultNamed(h.results(second.chatSpanId), 'commitment.price')['gen_ai.evaluation.score.label']).toBe('pass');

    const stranger = runTurn(h.tracer, { conversationId: 'conv-other', user: 'And its price?', reply: 'It is $129.00 a month.' });
    expect(resultNamed(h.results(stranger.chatSpanId), 'commitment.price')['gen_ai.evaluation.score.label']).toBe('fail');
  });

  it('keys child spans without a conversation id through their trace', () => {
    const h = sdkHarness();
    // Only the invoke_agent span states the conversation; the tool and chat children do not.
    const first = runTurn(h.tracer, {
      conversationId: 'conv-children',
      user: 'Plans?',
      tools: [{ name: 'lookup_plan', result: catalog }],
      reply: 'There is a Pro plan.',
    });
    const chat = h.span(first.chatSpanId);
    expect(chat.attributes['gen_ai.conversation.id']).toBeUndefined();
    const second = runTurn(h.tracer, { conversationId: 'conv-children', user: 'Price?', reply: 'Pro is $129.00 monthly.' });
    const price = resultNamed(h.results(second.chatSpanId), 'commitment.price');
    expect(price['tracejudge.conversation.id']).toBe('conv-children');
    expect(price['gen_ai.evaluation.score.label']).toBe('pass');
    expect(h.processor.stats().conversationsOpen).toBe(1);
  });

  it('checks a reply once per turn when invoke_agent and its chat child carry it', () => {
    const h = sdkHarness();
    const turn = runTurn(h.tracer, {
      conversationId: 'conv-dedupe',
      user: 'Price?',
      tools: [{ name: 'lookup_plan', result: catalog }],
      reply: 'The Pro plan costs $129.00 per month.',
    });
    const all = h.allResults().filter((result) => result.attributes['gen_ai.evaluation.name'] === 'commitment.price');
    expect(all).toHaveLength(1);
    expect(all[0].spanId).toBe(turn.chatSpanId);
    expect(h.results(turn.turnSpanId)).toEqual([]);
    expect(h.processor.stats().repliesDeduplicated).toBe(1);
  });

  it('checks the turn span when its reply differs from the chat reply', () => {
    const h = sdkHarness();
    const turn = runTurn(h.tracer, {
      conversationId: 'conv-two-replies',
      user: 'Price?',
      tools: [{ name: 'lookup_plan', result: catalog }],
      reply: 'Let me summarise: Pro is $129.00.',
      agentReply: 'Pro is $129.00, or $1,290.00 a year.',
    });
    expect(resultNamed(h.results(turn.chatSpanId), 'commitment.price')['gen_ai.evaluation.score.label']).toBe('pass');
    expect(resultNamed(h.results(turn.turnSpanId), 'commitment.price')['gen_ai.evaluation.score.label']).toBe('fail');
  });

  it('turns a check that throws into an error result, and the span is still exported', () => {
    const broken: Check = {
      name: 'custom.broken',
      evaluate() {
        throw new TypeError('cannot read the catalogue');
      },
    };
    const h = sdkHarness({ checks: [...builtinChecks, broken] });
    const turn = runTurn(h.tracer, { conversationId: 'conv-throw', user: 'Price?', tools: [{ name: 'lookup_plan', result: catalog }], reply: 'It is $129.00.' });
    const results = h.results(turn.chatSpanId);
    const error = resultNamed(results, 'custom.broken');
    expect(error['error.type']).toBeTruthy();
    expect(error).not.toHaveProperty('gen_ai.evaluation.score.value');
    expect(resultNamed(results, 'commitment.price')['gen_ai.evaluation.score.label']).toBe('pass');
    expect(h.spans()).toHaveLength(3);
    expect(h.processor.stats().checkErrors['custom.broken']).toBe(1);
  });

  it('leaves spans otherwise unchanged: same attributes (but its evaluation summary), names, parents, status as without the processor', () => {
    const h = sdkHarness();
    const plain = new InMemorySpanExporter();
    const plainTracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: plain })] }).getTracer('test-agent');
    const spec = { conversationId: 'conv-same', user: 'Price?', tools: [{ name: 'lookup_plan', result: catalog }], reply: 'It is $129.00.' };
    runTurn(h.tracer, spec);
    runTurn(plainTracer, spec);
    const shape = (spans: ReturnType<typeof plain.getFinishedSpans>) =>
      spans.map((span) => ({
        name: span.name,
        kind: span.kind,
        // The evaluated span's summary (tracejudge.evaluation.failed, …) is the one attribute the processor adds.
        attributes: Object.fromEntries(Object.entries(span.attributes).filter(([key]) => !key.startsWith('tracejudge.evaluation.'))),
        status: span.status,
        hasParent: span.parentSpanContext !== undefined,
        otherEvents: span.events.filter((event) => event.name !== 'gen_ai.evaluation.result'),
      }));
    expect(shape(h.spans())).toEqual(shape(plain.getFinishedSpans()));
    expect(h.allResults().length).toBeGreaterThan(0);
    expect(h.spans().filter((span) => span.attributes['tracejudge.evaluation.failed'] !== undefined).map((span) => span.name)).toEqual(['chat gpt-4.1-mini']);
  });

  it('passes non-GenAI spans through untouched, without opening a conversation', () => {
    const h = sdkHarness();
    const span = h.tracer.startSpan('GET /health', { attributes: { 'http.request.method': 'GET', 'http.route': '/health' } });
    span.end();
    expect(h.spans()).toHaveLength(1);
    expect(h.spans()[0].events).toEqual([]);
    expect(h.processor.stats()).toMatchObject({ spansSeen: 1, conversationsOpen: 0, errors: 0 });
  });
});

describe('bad span content', () => {
  it('exports a span with malformed message JSON, with a problem event naming the attribute', () => {
    const h = sdkHarness();
    const turn = runTurn(h.tracer, {
      conversationId: 'conv-malformed',
      user: 'Price?',
      reply: 'It is $129.00.',
      agentReply: null,
      chatAttributes: { 'gen_ai.output.messages': '[{"role": "assistant", "parts": [' },
    });
    const chat = h.span(turn.chatSpanId);
    const problem = chat.events.find((event) => event.name === 'tracejudge.content.problem');
    expect(problem?.attributes?.['tracejudge.span.problems']).toEqual([expect.stringContaining('gen_ai.output.messages: not valid JSON')]);
    expect(evaluationEvents(chat.events)).toEqual([]);
    expect(h.spans()).toHaveLength(2);
    expect(h.processor.stats().spansWithProblems).toBe(1);
  });

  it('exports a span with wrong attribute types, noting them on the results', () => {
    const h = sdkHarness();
    const turn = runTurn(h.tracer, {
      conversationId: 'conv-types',
      user: 'Price?',
      tools: [{ name: 'lookup_plan', result: catalog }],
      reply: 'It is $129.00.',
      chatAttributes: { 'gen_ai.input.messages': 42, 'gen_ai.response.id': 7 },
    });
    const chat = h.span(turn.chatSpanId);
    const problems = chat.events.find((event) => event.name === 'tracejudge.content.problem')?.attributes?.['tracejudge.span.problems'];
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('gen_ai.input.messages')]));
    const price = resultNamed(evaluationEvents(chat.events), 'commitment.price');
    expect(price['tracejudge.span.problems']).toEqual(problems);
    expect(price['gen_ai.evaluation.score.label']).toBe('pass');
  });

  it('exports a span with a huge attribute: parsing is capped and the span says so', () => {
    const h = sdkHarness({ normalize: { maxAttributeChars: 10_000 } });
    const huge = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `It is $129.00. ${'blah '.repeat(5_000)}` }] }]);
    const turn = runTurn(h.tracer, {
      conversationId: 'conv-huge',
      user: 'Price?',
      reply: 'unused',
      agentReply: null,
      chatAttributes: { 'gen_ai.output.messages': huge },
    });
    const chat = h.span(turn.chatSpanId);
    expect(chat.attributes['gen_ai.output.messages']).toBe(huge);
    const problems = chat.events.find((event) => event.name === 'tracejudge.content.problem')?.attributes?.['tracejudge.span.problems'];
    expect(problems).toEqual([expect.stringMatching(/gen_ai\.output\.messages: \d+ characters exceeds the 10000-character parse limit/)]);
  });

  it('checks.sourceKeys: a key word the config adds changes what the tool result grounds, for every check', () => {
    const quote = { device: 'Laptop', presupuesto: 180, mano_obra: 45.5, torre: 12 };
    const reply = 'La reparación cuesta 225,50 €, y la torre 12 € más.';
    const labelsWith = (sourceKeys?: Record<string, string[]>) => {
      const h = sdkHarness(pipelineOptionsFromConfig(resolveConfig({ checks: sourceKeys ? { sourceKeys } : {} }, { env: {} })));
      const turn = runTurn(h.tracer, { conversationId: 'conv-keys', user: '¿Cuánto cuesta?', tools: [{ name: 'quote', result: quote }], reply });
      const price = resultNamed(h.results(turn.chatSpanId), 'commitment.price');
      return [price['gen_ai.evaluation.score.label'], price['tracejudge.ungrounded_values']];
    };
    // Built in, "presupuesto" (a quote) and "torre" mean nothing: 180 is no operand, and 12 is stated.
    expect(labelsWith()).toEqual(['fail', ['225,50 €']]);
    expect(labelsWith({ money: ['presupuesto'], count: ['torre'] })).toEqual(['fail', ['12 €']]);
  });

  it('checks only the start of a very long reply (checks.maxScannedChars) and the result says so', () => {
    const h = sdkHarness(pipelineOptionsFromConfig(resolveConfig({ checks: { maxScannedChars: 200 } }, { env: {} })));
    const reply = `Pro is $129.00. ${'Let me add some detail. '.repeat(40)} Also a $5.00 fee.`;
    const turn = runTurn(h.tracer, { conversationId: 'conv-long', user: 'Price?', tools: [{ name: 'lookup_plan', result: catalog }], reply });
    const price = resultNamed(h.results(turn.chatSpanId), 'commitment.price');
    expect(price['tracejudge.truncated']).toBe(true);
    expect(String(price['gen_ai.evaluation.explanation'])).toContain('truncated');
    // The ungrounded $5.00 fee lies past the scanned part.
    expect(price['gen_ai.evaluation.score.label']).toBe('pass');
  });
});
