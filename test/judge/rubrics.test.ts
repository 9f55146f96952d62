import { afterEach, describe, expect, it } from 'vitest';
import type { OpenAITestServer } from '../support/openai-test-server.ts';
import { BUILTIN_RUBRICS, JudgeConfigError, LlmJudge, normalizeScore, RubricRegistry, rubricVersion, type RubricSelectionRule } from '../../src/judge/index.ts';
import { rubricProblems } from '../../src/judge/rubric.ts';
import { faithfulness } from '../../src/judge/rubrics/faithfulness.ts';
import { answer, bookingConversation, completionWith, judgeOn, judgeRequests, rubricOf, startJudgeServer, systemOf } from './fixtures.ts';

let server: OpenAITestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function configError(run: () => unknown): JudgeConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(JudgeConfigError);
    return error as JudgeConfigError;
  }
  throw new Error('expected a JudgeConfigError, nothing was thrown');
}

describe('built-in rubrics', () => {
  it('are six well-formed rubrics with distinct names', () => {
    expect(BUILTIN_RUBRICS.map((rubric) => rubric.name)).toEqual(['faithfulness', 'correctness', 'completeness', 'tone', 'policy_compliance', 'escalation']);
    for (const rubric of BUILTIN_RUBRICS) {
      expect(rubricProblems(rubric)).toEqual([]);
      // Every label the rubric offers is explained in its instructions.
      for (const label of rubric.labels) expect(rubric.instructions).toContain(`"${label}"`);
    }
  });

  it('have a version that is a short hash of their text and changes when the text does', () => {
    const version = rubricVersion(faithfulness);
    expect(version).toMatch(/^[0-9a-f]{12}$/);
    expect(rubricVersion({ ...faithfulness })).toBe(version);
    expect(rubricVersion({ ...faithfulness, instructions: `${faithfulness.instructions} ` })).not.toBe(version);
    expect(rubricVersion({ ...faithfulness, labels: ['faithful', 'unfaithful'] })).not.toBe(version);
  });

  it('`policy` is accepted as the short name of policy_compliance', () => {
    expect(new RubricRegistry().get('policy')?.name).toBe('policy_compliance');
  });
});

describe('score scale mapping', () => {
  it('maps 1–5 onto 0..1 with 5 best', () => {
    const scale = { min: 1, max: 5, integer: true };
    expect([1, 2, 3, 4, 5].map((score) => normalizeScore(score, scale))).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('maps other scales linearly and clamps', () => {
    expect(normalizeScore(7, { min: 0, max: 10, integer: true })).toBeCloseTo(0.7, 12);
    expect(normalizeScore(0.3, { min: 0, max: 1, integer: false })).toBeCloseTo(0.3, 12);
    expect(normalizeScore(-1, { min: 0, max: 1, integer: false })).toBe(0);
  });
});

describe('rubric selection per stratum and cohort', () => {
  const select: RubricSelectionRule[] = [
    { when: { stratum: 'escalations' }, rubrics: ['escalation'] },
    { when: { attribute: 'app.vertical', equals: 'bank' }, rubrics: ['policy'] },
    { when: { attribute: 'app.escalated', equals: true }, rubrics: ['tone'] },
    { when: { stratum: 'policy_only' }, rubrics: ['policy_compliance'], replace: true },
  ];

  it('adds the rubrics of every matching rule to the base list', async () => {
    server = await startJudgeServer(() => completionWith(answer(5, 'faithful')));
    const judge = judgeOn(server, { rubrics: ['faithfulness'], select });
    const names = (target: Parameters<typeof judge.rubricsFor>[0]) => judge.rubricsFor(target).map((rubric) => rubric.name);

    expect(names(bookingConversation())).toEqual(['faithfulness']);
    expect(names(bookingConversation({ sampling: { stratum: 'escalations', weight: 1 } }))).toEqual(['faithfulness', 'escalation']);
    expect(names(bookingConversation({ cohort: { 'app.vertical': 'bank' } }))).toEqual(['faithfulness', 'policy_compliance']);
    // Outcome signals are addressable by their attribute name.
    expect(names(bookingConversation({ outcome: { escalated: true }, sampling: { stratum: 'escalations', weight: 1 } }))).toEqual(['faithfulness', 'escalation', 'tone']);
    expect(names(bookingConversation({ sampling: { stratum: 'policy_only', weight: 2 } }))).toEqual(['policy_compliance']);
  });

  it('judges exactly the selected rubrics', async () => {
    server = await startJudgeServer((request) => completionWith(rubricOf(request) === 'escalation' ? answer(2, 'missed_escalation') : answer(5, 'faithful')));
    const results = await judgeOn(server, { select }).evaluate(bookingConversation({ sampling: { stratum: 'escalations', weight: 1 } }));
    expect(results.map((result) => [result.name, result.score, result.label])).toEqual([
      ['faithfulness', 1, 'faithful'],
      ['escalation', 0.25, 'missed_escalation'],
    ]);
    expect(judgeRequests(server).map(rubricOf).sort()).toEqual(['escalation', 'faithfulness']);
  });
});

describe('custom rubrics from config', () => {
  const refundRubric = {
    name: 'refund_accuracy',
    instructions: 'Check that any refund amount quoted equals the amount in the refund tool result.',
    labels: ['accurate', 'inaccurate'],
    scale: { min: 0, max: 10 },
  };

  it('are judged like built-ins: their text in the system prompt, their labels and scale in the schema, score mapped to 0..1', async () => {
    server = await startJudgeServer(() => completionWith(answer(7, 'accurate', 'Amount matches.')));
    const judge = judgeOn(server, { custom: [refundRubric], rubrics: ['refund_accuracy'] });
    const [result] = await judge.evaluate(bookingConversation());
    expect(result).toMatchObject({ name: 'refund_accuracy', label: 'accurate', details: { 'rubric.name': 'refund_accuracy', 'rubric.scale': '0..10' } });
    expect(result.score).toBeCloseTo(0.7, 12);
    const [request] = judgeRequests(server);
    expect(systemOf(request)).toContain(refundRubric.instructions);
    expect(systemOf(request)).toContain('Score: an integer from 0 to 10');
    expect(request.body.response_format.json_schema.schema.properties.label.enum).toEqual(['accurate', 'inaccurate']);
  });

  it('a custom rubric answer with a label outside its list is judge_invalid_output', async () => {
    server = await startJudgeServer(() => completionWith(answer(7, 'faithful')));
    const [result] = await judgeOn(server, { custom: [refundRubric], rubrics: ['refund_accuracy'] }).evaluate(bookingConversation());
    expect(result.error?.type).toBe('judge_invalid_output');
    expect(result.error?.message).toContain('label');
  });

  it('bad definitions and unknown names are rejected at construction, each naming its field', () => {
    const error = configError(
      () =>
        new LlmJudge({
          model: 'm',
          apiKey: 'k',
          custom: [
            { name: 'tone', instructions: 'x', labels: ['a'], scale: { min: 1, max: 5 } },
            { name: 'Bad Name', instructions: ' ', labels: [], scale: { min: 5, max: 1 } },
          ],
          rubrics: ['faithfulness', 'fairness'],
          select: [{ when: { stratum: 'x' }, rubrics: ['nope'] }],
        }),
    );
    expect(error.problems).toEqual([
      'judge.custom[0].name: "tone" is already a rubric name; choose another',
      `judge.custom[1].name: "Bad Name" must match /^[a-z][a-z0-9_.-]{0,63}$/`,
      'judge.custom[1].instructions: must not be empty',
      'judge.custom[1].scale: min (5) must be a number below max (1)',
      'judge.custom[1].labels: at least one label is needed',
      expect.stringMatching(/^judge\.rubrics\[1\]: unknown rubric "fairness"; known: faithfulness, correctness/),
      expect.stringMatching(/^judge\.select\[0\]\.rubrics\[0\]: unknown rubric "nope"/),
    ]);
    expect(error.message).toContain('7 problems');
  });
});
