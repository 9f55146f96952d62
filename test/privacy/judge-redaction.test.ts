import { afterEach, describe, expect, it } from 'vitest';
import { PiiMasker } from '../../src/privacy/index.ts';
import { answer, bookingConversation, completionWith, judgeOn, judgeRequests, startJudgeServer } from '../judge/fixtures.ts';
import type { OpenAITestServer } from '../support/openai-test-server.ts';

const PII = ['ana.lopez@example.com', '+34 612 345 678', '4111 1111 1111 1111', 'ES91 2100 0418 4502 0005 1332', '12345678Z', '123-45-6789', 'AB 12 34 56 C'];

let server: OpenAITestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the real judge with redact = PiiMasker', () => {
  it('sends no listed personal data in any request body, and keeps amounts, times and order numbers', async () => {
    server = await startJudgeServer(() => completionWith(answer(4, 'faithful')));
    const judge = judgeOn(server, { rubrics: ['faithfulness'], redact: new PiiMasker().redactor() });
    const target = bookingConversation({
      turns: [
        {
          userMessages: [`I'm ana.lopez@example.com, phone +34 612 345 678. Pay with 4111 1111 1111 1111 or ES91 2100 0418 4502 0005 1332.`],
          toolCalls: [{ name: 'lookup_customer', arguments: { email: 'ana.lopez@example.com', dni: '12345678Z' }, result: { ssn: '123-45-6789', nino: 'AB 12 34 56 C', order: '7731-2290' } }],
          assistantReplies: ['Order 7731-2290 totals $1,250.00, delivered at 14:30. We will email ana.lopez@example.com.'],
        },
      ],
    });
    const results = await judge.evaluate(target);
    expect(results.map((result) => result.label)).toEqual(['faithful']);
    const bodies = judgeRequests(server).map((request) => JSON.stringify(request.body));
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) {
      for (const value of PII) expect(body).not.toContain(value);
      // The JSON escapes '<' as \u003c inside the data block, so look for the placeholder stem.
      expect(body).toContain('EMAIL_1');
      for (const kept of ['7731-2290', '$1,250.00', '14:30']) expect(body).toContain(kept);
    }
  });

  it('without redact the same values do reach the judge (the assertion above can fail)', async () => {
    server = await startJudgeServer(() => completionWith(answer(4, 'faithful')));
    const judge = judgeOn(server, { rubrics: ['faithfulness'] });
    await judge.evaluate(bookingConversation({ turns: [{ userMessages: ['I am ana.lopez@example.com'], toolCalls: [], assistantReplies: ['ok'] }] }));
    expect(JSON.stringify(judgeRequests(server)[0]!.body)).toContain('ana.lopez@example.com');
  });
});
