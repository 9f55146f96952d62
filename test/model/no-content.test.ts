import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../src/model/normalize.ts';
import { spanRecord } from './builders.ts';

describe('spans without content', () => {
  it('an HTTP span is an empty view with no problems', () => {
    const span = spanRecord({ name: 'GET /rooms', attributes: { 'http.request.method': 'GET', 'url.path': '/rooms', 'http.response.status_code': 200 } });
    const view = normalizeSpan(span);
    expect(view).toEqual({
      span,
      operation: 'other',
      systemInstructions: [],
      inputMessages: [],
      outputMessages: [],
      toolCalls: [],
      retrievedContext: [],
      usage: {},
      outcome: {},
      cohort: {},
      problems: [],
    });
  });

  it('a span with no attributes at all is an empty view', () => {
    const view = normalizeSpan(spanRecord({ attributes: {} }));
    expect(view.problems).toEqual([]);
    expect(view.operation).toBe('other');
  });

  it('the name alone does not make a GenAI operation (an HTTP route may be called chat)', () => {
    expect(normalizeSpan(spanRecord({ name: 'chat', attributes: { 'http.route': '/chat' } })).operation).toBe('other');
  });

  it('a content-less contrib chat span (capture off) keeps its metadata and has no problems', () => {
    const view = normalizeSpan(
      spanRecord({
        name: 'chat gpt-4o',
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 20 },
      }),
    );
    expect(view).toMatchObject({ operation: 'chat', requestModel: 'gpt-4o', usage: { inputTokens: 20 }, inputMessages: [], outputMessages: [], problems: [] });
  });

  it('still reads outcome and cohort from a span that carries nothing else', () => {
    const view = normalizeSpan(spanRecord({ attributes: { 'app.vertical': 'hotels', 'app.booking_made': true } }));
    expect(view).toMatchObject({ operation: 'other', outcome: { bookingMade: true }, cohort: { 'app.vertical': 'hotels' }, problems: [] });
  });
});
