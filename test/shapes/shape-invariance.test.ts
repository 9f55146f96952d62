import { describe, expect, it } from 'vitest';
import { loadLabelledRows } from '../checks/precision-recall.ts';
import { collectorVerdicts } from './collector-verdicts.ts';
import { ownInstrumentationVerdicts } from './own-instrumentation.ts';
import { LAYOUTS, SHAPES } from './render.ts';
import { differences, flatVerdicts, precisionRecall, shapeVerdicts } from './verdicts.ts';
import type { Verdicts } from './verdicts.ts';

/**
 * Shape invariance (DESIGN.md, "Grounding"): every labelled conversation, recorded the way each
 * instrumentation tracejudge reads would record it — in one turn, or in two whose second is
 * grounded by the first (history re-sent, or remembered) — gets the verdicts and the ungrounded
 * values its flat sources get. A difference is a bug in a reader, not a tolerance.
 */
const rows = loadLabelledRows();
const reference = flatVerdicts(rows);

function expectSameVerdicts(shape: string, verdicts: Verdicts): void {
  // Every reply was graded: a shape whose reader loses the reply would otherwise "agree" on nothing.
  expect(verdicts.size, `${shape}: replies graded`).toBe(rows.length);
  expect(differences(reference, verdicts), shape).toEqual([]);
  expect(precisionRecall(rows, verdicts)).toEqual(precisionRecall(rows, reference));
}

describe('the same conversations in every shape get the same verdicts', () => {
  it('the reference itself grades every row and fails the ungrounded ones', () => {
    expect(reference.size).toBe(rows.length);
    const score = precisionRecall(rows, reference);
    expect(score.tp).toBeGreaterThan(80);
    expect(score.recall).toBeGreaterThanOrEqual(0.95);
  });

  for (const layout of LAYOUTS) {
    for (const shape of SHAPES) {
      it(`${shape}, ${layout}, through tracejudge check`, async () => {
        expectSameVerdicts(`${shape} ${layout}`, await shapeVerdicts(rows, shape, layout));
      });
    }

    it(`every shape, ${layout}, through the collector (OTLP/HTTP protobuf; content before and after its spans)`, async () => {
      for (const shape of SHAPES) {
        const logsFirst = await collectorVerdicts(rows, shape, layout, true);
        expectSameVerdicts(`${shape} ${layout} collector`, logsFirst);
        if (shape.startsWith('genai-logs')) expectSameVerdicts(`${shape} ${layout} collector, logs last`, await collectorVerdicts(rows, shape, layout, false));
      }
    }, 120_000);

    it(`tracejudge's own instrumentation, ${layout}, in process (real SDK, openai client, EvaluationSpanProcessor)`, async () => {
      expectSameVerdicts(`own instrumentation ${layout}`, await ownInstrumentationVerdicts(rows, layout));
    }, 60_000);
  }
});
