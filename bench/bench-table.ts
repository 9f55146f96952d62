/**
 * The one row shape every benchmark reports, and how it is printed. Each row
 * carries its same-run baseline and ratio: these machines are shared and noisy,
 * so only medians and ratios measured side by side mean anything.
 */
export type BenchRow = { name: string; value: number; unit: string; baseline?: number; ratio?: number; target?: string };

/** Set by `bench/run.ts`: a suite prints its rows as JSON for the combined table. */
const JSON_OUTPUT_ENV = 'TRACEJUDGE_BENCH_JSON';

const formatNumber = (value: number | undefined): string =>
  value === undefined ? '' : Number.isInteger(value) ? String(value) : value.toPrecision(value >= 100 ? 6 : 3);

/** The middle value (the upper of the two middles for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function formatTable(title: string, rows: readonly BenchRow[]): string {
  const lines = [
    `### ${title}`,
    '',
    '| case | value | unit | baseline | ratio | target |',
    '|---|---:|---|---:|---:|---|',
    ...rows.map((r) => `| ${r.name} | ${formatNumber(r.value)} | ${r.unit} | ${formatNumber(r.baseline)} | ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`} | ${r.target ?? ''} |`),
  ];
  return lines.join('\n');
}

/** Entry of a suite run as a script: a table for people, JSON for `bench/run.ts`. */
export async function runSuite(title: string, run: () => Promise<BenchRow[]>): Promise<void> {
  const rows = await run();
  if (process.env[JSON_OUTPUT_ENV] === '1') process.stdout.write(`${JSON.stringify({ title, rows })}\n`);
  else console.log(formatTable(title, rows));
}

export { JSON_OUTPUT_ENV };
