import { describe, expect, it } from 'vitest';
import {
  AndPolicy,
  AttributePolicy,
  CheckFailedPolicy,
  ErrorStatusPolicy,
  HasToolCallsPolicy,
  NotPolicy,
  OrPolicy,
  OutcomePolicy,
  SamplingSettingsError,
  buildPolicy,
} from '../../src/sampling/index.ts';
import type { AttributeWhen } from '../../src/sampling/index.ts';
import { chatSpan, span, toolSpan, turn } from './builders.ts';

const matches = (when: AttributeWhen, attributes: Record<string, unknown>, resource: Record<string, unknown> = {}) =>
  new AttributePolicy(when).evaluate(turn({ spans: [span(attributes as never, { resource: resource as never })] })).matched;

describe('attribute predicates', () => {
  it('equals compares across the spellings front doors use (bool, "true", bigint, numeric string)', () => {
    expect(matches({ attribute: 'app.escalated', equals: true }, { 'app.escalated': true })).toBe(true);
    expect(matches({ attribute: 'app.escalated', equals: true }, { 'app.escalated': 'true' })).toBe(true);
    expect(matches({ attribute: 'app.escalated', equals: true }, { 'app.escalated': false })).toBe(false);
    expect(matches({ attribute: 'app.tier', equals: 3 }, { 'app.tier': 3n })).toBe(true);
    expect(matches({ attribute: 'app.tier', equals: 3 }, { 'app.tier': '3' })).toBe(true);
    expect(matches({ attribute: 'app.tier', equals: '3' }, { 'app.tier': 3 })).toBe(true);
    expect(matches({ attribute: 'app.tier', equals: 3 }, { 'app.tier': 4 })).toBe(false);
    expect(matches({ attribute: 'app.tier', equals: 3 }, {})).toBe(false);
  });

  it('notEquals matches a present, different value and not a missing one', () => {
    const nonEnglish = { attribute: 'user.language', notEquals: 'en' };
    expect(matches(nonEnglish, { 'user.language': 'de' })).toBe(true);
    expect(matches(nonEnglish, { 'user.language': 'en' })).toBe(false);
    expect(matches(nonEnglish, {})).toBe(false);
  });

  it('in matches any listed value, and array attributes match by element', () => {
    const when = { attribute: 'app.vertical', in: ['travel', 'insurance'] };
    expect(matches(when, { 'app.vertical': 'insurance' })).toBe(true);
    expect(matches(when, { 'app.vertical': 'retail' })).toBe(false);
    const finish = { attribute: 'gen_ai.response.finish_reasons', in: ['length'] };
    expect(matches(finish, { 'gen_ai.response.finish_reasons': ['stop', 'length'] })).toBe(true);
    expect(matches(finish, { 'gen_ai.response.finish_reasons': ['stop'] })).toBe(false);
  });

  it('exists: true needs the attribute on some span, false needs it on none', () => {
    expect(matches({ attribute: 'app.variant', exists: true }, { 'app.variant': 'b' })).toBe(true);
    expect(matches({ attribute: 'app.variant', exists: true }, {})).toBe(false);
    expect(matches({ attribute: 'app.variant', exists: false }, {})).toBe(true);
    expect(matches({ attribute: 'app.variant', exists: false }, { 'app.variant': 'b' })).toBe(false);
  });

  it('lessThan / greaterThan compare numbers (numeric strings and bigints too) and combine into a range', () => {
    const young = { attribute: 'app.flow.age_days', lessThan: 30 };
    expect(matches(young, { 'app.flow.age_days': 12 })).toBe(true);
    expect(matches(young, { 'app.flow.age_days': '12' })).toBe(true);
    expect(matches(young, { 'app.flow.age_days': 30 })).toBe(false);
    expect(matches(young, { 'app.flow.age_days': 'new' })).toBe(false);
    const range = { attribute: 'app.cart.items', greaterThan: 2, lessThan: 10 };
    expect(matches(range, { 'app.cart.items': 5n })).toBe(true);
    expect(matches(range, { 'app.cart.items': 2 })).toBe(false);
    expect(matches(range, { 'app.cart.items': 10 })).toBe(false);
  });

  it('regex tests the string form of the value', () => {
    const when = { attribute: 'gen_ai.agent.name', regex: '^billing-' };
    expect(matches(when, { 'gen_ai.agent.name': 'billing-v2' })).toBe(true);
    expect(matches(when, { 'gen_ai.agent.name': 'support' })).toBe(false);
  });

  it('reads resource attributes when the span has none of that name, span attributes first', () => {
    const when = { attribute: 'deployment.environment.name', equals: 'canary' };
    expect(matches(when, {}, { 'deployment.environment.name': 'canary' })).toBe(true);
    expect(matches(when, { 'deployment.environment.name': 'prod' }, { 'deployment.environment.name': 'canary' })).toBe(false);
  });

  it('matches when any span of the turn carries the value', () => {
    const policy = new AttributePolicy({ attribute: 'app.flow', equals: 'refund' });
    expect(policy.evaluate(turn({ spans: [span({}), span({ 'app.flow': 'refund' })] })).matched).toBe(true);
    expect(policy.evaluate(turn({ spans: [] })).matched).toBe(false);
  });

  it('rejects a predicate without operator, a bad regex and exists:false with values, naming the field', () => {
    expect(() => new AttributePolicy({ attribute: 'a' }, 'sampling.strata[1].when')).toThrow(/sampling\.strata\[1\]\.when: .*needs an operator/);
    expect(() => new AttributePolicy({ attribute: 'a', regex: '(' }, 'sampling.strata[0].when')).toThrow(SamplingSettingsError);
    expect(() => new AttributePolicy({ attribute: 'a', regex: '(' }, 'sampling.strata[0].when')).toThrow(/sampling\.strata\[0\]\.when\.regex: invalid regular expression.*got "\("/);
    expect(() => new AttributePolicy({ attribute: 'a', exists: false, equals: 1 })).toThrow(/exists: cannot be combined/);
  });
});

describe('turn predicates', () => {
  it('hasToolCalls sees execute_tool spans and tool calls a model requested', () => {
    const requested = chatSpan('gpt-4.1-mini', 10, 10, {
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', name: 'lookup', arguments: {} }] }]),
    });
    const policy = new HasToolCallsPolicy(true);
    expect(policy.evaluate(turn({ spans: [span({}), toolSpan()] })).matched).toBe(true);
    expect(policy.evaluate(turn({ spans: [requested] })).matched).toBe(true);
    expect(policy.evaluate(turn({ spans: [chatSpan('gpt-4.1-mini', 10, 10)] })).matched).toBe(false);
    expect(new HasToolCallsPolicy(false).evaluate(turn({ spans: [chatSpan('gpt-4.1-mini', 10, 10)] })).matched).toBe(true);
  });

  it('outcome flags read the signals the app recorded', () => {
    expect(new OutcomePolicy('escalated').evaluate(turn({ spans: [span({ 'app.escalated': true })] })).matched).toBe(true);
    expect(new OutcomePolicy('escalated').evaluate(turn({ spans: [span({ 'app.escalated': false })] })).matched).toBe(false);
    expect(new OutcomePolicy('negativeFeedback').evaluate(turn({ spans: [span({ 'app.user_feedback': 'Negative' })] })).matched).toBe(true);
    expect(new OutcomePolicy('negativeFeedback').evaluate(turn({ spans: [span({ 'app.user_feedback': 'positive' })] })).matched).toBe(false);
    expect(new OutcomePolicy('bookingMade').evaluate(turn({ spans: [span({ 'app.booking_made': true })] })).matched).toBe(true);
  });

  it('error status is OTLP status code 2 on any span', () => {
    expect(new ErrorStatusPolicy().evaluate(turn({ spans: [span({}), span({}, { status: 2 })] })).matched).toBe(true);
    expect(new ErrorStatusPolicy().evaluate(turn({ spans: [span({}, { status: 1 })] })).matched).toBe(false);
    expect(new ErrorStatusPolicy(false).evaluate(turn({ spans: [span({}, { status: 1 })] })).matched).toBe(true);
  });

  it('checkFailed follows the deterministic checks', () => {
    expect(new CheckFailedPolicy().evaluate(turn({ checkFailed: true })).matched).toBe(true);
    expect(new CheckFailedPolicy().evaluate(turn({ checkFailed: false })).matched).toBe(false);
  });
});

describe('combinators are policies too', () => {
  const tools = new HasToolCallsPolicy(true);
  const german = new AttributePolicy({ attribute: 'user.language', equals: 'de' });
  const both = turn({ spans: [toolSpan(), span({ 'user.language': 'de' })] });
  const toolsOnly = turn({ spans: [toolSpan()] });
  const neither = turn({ spans: [span({})] });

  it('and / or / not', () => {
    expect(new AndPolicy([tools, german]).evaluate(both).matched).toBe(true);
    expect(new AndPolicy([tools, german]).evaluate(toolsOnly).matched).toBe(false);
    expect(new OrPolicy([tools, german]).evaluate(toolsOnly).matched).toBe(true);
    expect(new OrPolicy([tools, german]).evaluate(neither).matched).toBe(false);
    expect(new NotPolicy(tools).evaluate(neither).matched).toBe(true);
    expect(new NotPolicy(tools).evaluate(toolsOnly).matched).toBe(false);
  });

  it('builds nested predicates from settings and describes them', () => {
    const policy = buildPolicy({ and: [{ hasToolCalls: true }, { not: { attribute: 'user.language', equals: 'en' } }] }, 'when');
    expect(policy.description).toBe('and(hasToolCalls true, not(attribute user.language equals "en"))');
    expect(policy.evaluate(both).matched).toBe(true);
    expect(policy.evaluate(turn({ spans: [toolSpan(), span({ 'user.language': 'en' })] })).matched).toBe(false);
    expect(() => buildPolicy({ or: [{ hasToolCalls: true }, { attribute: 'x' }] }, 'sampling.strata[0].when')).toThrow(/sampling\.strata\[0\]\.when\.or\[1\]/);
  });
});
