import { describe, expect, it } from 'vitest';
import { runChecksThroughputBench } from '../../bench/checks-throughput.ts';

// Speed itself is measured by `node bench/checks-throughput.ts`; this only proves the rows `npm run bench` gets.
describe('runChecksThroughputBench', () => {
  it('returns named rows in replies/s with the same-run baseline and the target', async () => {
    const rows = await runChecksThroughputBench({ runs: 1, count: 20 });
    expect(rows.map((row) => row.name)).toContain('3 checks, warm grounding index, mixed replies');
    for (const row of rows) {
      expect(row.unit).toBe('replies/s');
      expect(row.value).toBeGreaterThan(0);
      if (row.ratio !== undefined) expect(row.ratio).toBeCloseTo(row.value / (row.baseline as number), 2);
    }
    const targets = Object.fromEntries(rows.filter((row) => row.target !== undefined).map((row) => [row.name, row.target]));
    expect(targets).toEqual({
      '3 checks, warm grounding index, mixed replies': '≥ 150000 replies/s',
      '3 checks, warm grounding index, number-dense replies only': '≥ 100000 replies/s',
    });
  });
});
