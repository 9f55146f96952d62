/**
 * `npm run bench`: every suite in its own child process (so one suite's heap
 * does not colour another's memory numbers), then one report. Filter with
 * `npm run bench -- checks online`.
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatTable, JSON_OUTPUT_ENV, type BenchRow } from './bench-table.ts';

const SUITES: readonly { readonly key: string; readonly file: string }[] = [
  { key: 'checks', file: 'checks-throughput.ts' },
  { key: 'processor', file: 'processor-overhead.ts' },
  { key: 'long-conversation', file: 'long-conversation.ts' },
  { key: 'check-cli', file: 'check-cli.ts' },
  { key: 'sampling', file: 'sampling.ts' },
  { key: 'online', file: 'online.ts' },
  { key: 'collector', file: 'collector.ts' },
  { key: 'collector-transports', file: 'collector-transports.ts' },
  { key: 'two-signals', file: 'two-signals.ts' },
  { key: 'masker', file: 'masker.ts' },
  { key: 'agents-bridge', file: 'agents-bridge.ts' },
  { key: 'offline', file: 'offline.ts' },
];

function runSuiteFile(file: string): Promise<{ title: string; rows: BenchRow[] }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(new URL(file, import.meta.url))], {
      env: { ...process.env, [JSON_OUTPUT_ENV]: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const reports = stdout
        .split('\n')
        .filter((line) => line.startsWith('{"title"'))
        .map((line) => JSON.parse(line) as { title: string; rows: BenchRow[] });
      if (code !== 0 || reports.length === 0) reject(new Error(`bench/${file} exited ${code} without a report`));
      else resolve(reports);
    });
  });
}

const wanted = process.argv.slice(2);
const suites = wanted.length ? SUITES.filter((suite) => wanted.includes(suite.key)) : SUITES;
console.log(`# tracejudge benchmarks — ${new Date().toISOString()}`);
console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, load average at start ${loadavg().map((l) => l.toFixed(1)).join(' / ')}\n`);
let failed = 0;
for (const suite of suites) {
  try {
    for (const report of await runSuiteFile(suite.file)) console.log(`${formatTable(report.title, report.rows)}\n`);
  } catch (error) {
    failed++;
    console.log(`### ${suite.key}\n\nfailed: ${(error as Error).message}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
