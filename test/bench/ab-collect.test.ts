import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWithCheckout } from '../../bench/ab-collect.ts';

// What it measures is only meaningful from `node bench/ab-collect.ts`; this proves it runs a checkout against one.
describe('compareWithCheckout', () => {
  it('runs both sides over the measured requests and reports medians and their ratio', async () => {
    const repo = resolve(import.meta.dirname, '../..');
    const result = await compareWithCheckout(repo, 'collect', 210);
    expect(result).toMatchObject({ mode: 'collect', requests: 10, spansPerRequest: 200 });
    expect(result.baseUsPerSpan).toBeGreaterThan(0);
    expect(result.thisUsPerSpan).toBeGreaterThan(0);
    expect(Number.isFinite(result.ratio) && result.ratio > 0).toBe(true);
  }, 120_000);
});
