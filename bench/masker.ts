/**
 * `npm run bench -- masker`: the PII masker's speed, and what the masking boundary costs the
 * inline pipeline.
 *
 * - MB/s of `PiiMasker.maskConversation` on ordinary support text (prices, times, dates, no
 *   personal data) and on PII-dense text (the corpus of test/privacy/pii-corpus.ts, 57
 *   spellings of every kind, repeated), against a same-run baseline: one pass of a simple digit
 *   regex over the same text. Best of 5 passes after 20 warm-up passes, CPU time.
 * - The EvaluationPipeline per span with masking on (`pipelineOptionsFromConfig`, the default)
 *   and off, same spans, same run: replies that fail a check (their quote is re-cut from the
 *   masked reply) and replies that pass (only the short explanations are masked).
 */
import { performance } from 'node:perf_hooks';
import { EvaluationPipeline, pipelineOptionsFromConfig } from '../processors/index.ts';
import { resolveConfig } from '../src/config/index.ts';
import { PiiMasker } from '../src/privacy/index.ts';
import { PII_CORPUS } from '../test/privacy/pii-corpus.ts';
import { spanRecord } from '../test/model/builders.ts';
import { runSuite, type BenchRow } from './bench-table.ts';

function cpuMs(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function bestOf(passes: number, run: () => void, warmUp = 1): number {
  for (let i = 0; i < warmUp; i++) run();
  let best = Infinity;
  for (let i = 0; i < passes; i++) best = Math.min(best, cpuMs(run));
  return best;
}

const ordinary = Array.from(
  { length: 4_000 },
  (_, i) => `Your table for ${2 + (i % 6)} on 2026-03-${10 + (i % 18)} at 19:30 costs €${100 + (i % 90)}.00; order 7731-${2000 + i}, refund of 12,50 € by Friday. `,
).join('');
const dense = Array.from({ length: 150 }, () => PII_CORPUS.map(([, sentence]) => sentence).join('. ')).join(' ');
/**
 * The same text with the last two digits of every digit group changed per copy: no value repeats,
 * so nothing remembered helps (phone verdicts are cached per candidate; real conversations repeat
 * theirs on every chat span), and check digits mostly fail (then scanned and checked, not masked).
 */
const denseDistinct = Array.from({ length: 150 }, (_, copy) =>
  PII_CORPUS.map(([, sentence]) => sentence.replace(/\d{2}(?=\D|$)/g, String(copy % 100).padStart(2, '0'))).join('. '),
).join(' ');

function mbPerSecond(text: string, run: (text: string) => void): number {
  // Twenty warm-up passes: the detectors' regexes and checks are compiled by then (fewer measured a cold JIT).
  const ms = bestOf(5, () => run(text), 20);
  return text.length / 1e6 / (ms / 1000);
}

function turnSpans(count: number, reply: (i: number) => string) {
  const spans = [];
  for (let i = 0; i < count; i++) {
    const traceId = i.toString(16).padStart(32, '0');
    spans.push(
      spanRecord({
        traceId,
        spanId: '00000000000000c1',
        name: 'chat gpt-4.1',
        kind: 3,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.conversation.id': `conv-${i % 200}`,
          'gen_ai.input.messages': JSON.stringify([
            { role: 'user', parts: [{ type: 'text', content: `I am ana${i}@example.es, card 4111 1111 1111 1111. Price of the Pro plan?` }] },
            { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: { plan: 'Pro', monthly_price: '$129.00' } }] },
          ]),
          'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: reply(i) }] }]),
        },
      }),
    );
  }
  return spans;
}

await runSuite('masker: PII masking speed, and the masking boundary in the pipeline', async (): Promise<BenchRow[]> => {
  const masker = new PiiMasker();
  const digitScan = (text: string) => void text.match(/\d+/g);
  const baselineOrdinary = mbPerSecond(ordinary, digitScan);
  const baselineDense = mbPerSecond(dense, digitScan);
  const maskedOrdinary = mbPerSecond(ordinary, (text) => void masker.maskConversation([text]));
  const maskedDense = mbPerSecond(dense, (text) => void masker.maskConversation([text]));
  const maskedDistinct = mbPerSecond(denseDistinct, (text) => void masker.maskConversation([text]));

  const config = resolveConfig({}, { env: {} });
  const withMasking = pipelineOptionsFromConfig(config);
  const { masking: _masking, ...withoutMasking } = withMasking;
  const failing = turnSpans(4_000, () => 'Card 4111 1111 1111 1111 noted: the Pro plan is $99.00 a month.');
  const passing = turnSpans(4_000, () => 'Noted: the Pro plan is $129.00 a month.');
  const perSpan = (options: typeof withMasking, spans: ReturnType<typeof turnSpans>) => {
    const target = { addEvent() {} };
    const ms = bestOf(
      3,
      () => {
        const pipeline = new EvaluationPipeline(options);
        for (const span of spans) pipeline.onEnding(span, target);
      },
      3,
    );
    return (ms * 1000) / spans.length;
  };
  const off = perSpan(withoutMasking, failing);
  const on = perSpan(withMasking, failing);
  const passOff = perSpan(withoutMasking, passing);
  const passOn = perSpan(withMasking, passing);
  return [
    { name: 'ordinary support text (no personal data), MB/s', value: Number(maskedOrdinary.toFixed(2)), unit: `MB/s (${(ordinary.length / 1e6).toFixed(2)} MB)`, baseline: Number(baselineOrdinary.toFixed(1)), ratio: maskedOrdinary / baselineOrdinary, target: '≥ 20 MB/s' },
    { name: `PII-dense text (every kind, ${PII_CORPUS.length} spellings), MB/s`, value: Number(maskedDense.toFixed(2)), unit: `MB/s (${(dense.length / 1e6).toFixed(2)} MB)`, baseline: Number(baselineDense.toFixed(1)), ratio: maskedDense / baselineDense, target: '≥ 20 MB/s' },
    { name: 'PII-dense text, no value repeated, MB/s', value: Number(maskedDistinct.toFixed(2)), unit: `MB/s (${(denseDistinct.length / 1e6).toFixed(2)} MB)`, baseline: Number(baselineDense.toFixed(1)), ratio: maskedDistinct / baselineDense, target: '≥ 20 MB/s' },
    { name: 'pipeline per failing chat span, masking off', value: Number(off.toFixed(2)), unit: 'µs CPU/span' },
    { name: 'pipeline per failing chat span, masking on (the default)', value: Number(on.toFixed(2)), unit: 'µs CPU/span', baseline: Number(off.toFixed(2)), ratio: on / off },
    { name: 'pipeline per passing chat span, masking off', value: Number(passOff.toFixed(2)), unit: 'µs CPU/span' },
    { name: 'pipeline per passing chat span, masking on (the default)', value: Number(passOn.toFixed(2)), unit: 'µs CPU/span', baseline: Number(passOff.toFixed(2)), ratio: passOn / passOff },
  ];
});
