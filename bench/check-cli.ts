/**
 * `tracejudge check` throughput: OTLP/JSON lines of realistic agent turns
 * (bench/agent-turn-workload.ts) through the CLI in a child process,
 * against a same-run baseline child that only reads, parses and re-serializes
 * every line (the least any OTLP/JSON-lines tool must do). Peak RSS is each
 * child's own `maxRSS`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { runSuite, type BenchRow } from './bench-table.ts';
import { agentTurn } from './agent-turn-workload.ts';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TURNS_PER_LINE = 16;
const SPANS_PER_TURN = 4;

// Reports the child's peak RSS on exit, whatever the child is.
const REPORT_RSS = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss_kib='+process.resourceUsage().maxRSS+'\\n'))`;

const BARE_RELAY = `
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
const out = createWriteStream(process.argv[2]);
for await (const line of createInterface({ input: createReadStream(process.argv[3]), crlfDelay: Infinity })) {
  if (line) out.write(JSON.stringify(JSON.parse(line)) + '\\n');
}
out.end();
`;

function writeWorkload(path: string, turns: number): number {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('bench-agent');
  const decoder = new TextDecoder();
  const lines: string[] = [];
  for (let start = 0; start < turns; start += TURNS_PER_LINE) {
    for (let i = start; i < Math.min(turns, start + TURNS_PER_LINE); i++) agentTurn(tracer, i);
    lines.push(decoder.decode(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())));
    exporter.reset();
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return turns * SPANS_PER_TURN;
}

function timeChild(args: readonly string[]): Promise<{ seconds: number; maxRssMiB: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', REPORT_RSS, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const rss = /maxrss_kib=(\d+)/.exec(stderr);
      if (code !== 0 && code !== 2) reject(new Error(`child exited ${code}: ${stderr.slice(-500)}`));
      else resolve({ seconds, maxRssMiB: rss ? Math.round(Number(rss[1]) / 1024) : NaN });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function runCheckCliBench(options: { turns?: number; runs?: number } = {}): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tracejudge-bench-check-'));
  try {
    const input = join(dir, 'in.jsonl');
    const spans = writeWorkload(input, options.turns ?? 5_000);
    const relay = join(dir, 'relay.mjs');
    writeFileSync(relay, BARE_RELAY);
    const bare: { seconds: number; maxRssMiB: number }[] = [];
    const check: { seconds: number; maxRssMiB: number }[] = [];
    for (let run = 0; run < (options.runs ?? 3); run++) {
      bare.push(await timeChild([relay, join(dir, 'bare.jsonl'), input]));
      check.push(await timeChild([CLI, 'check', '--in', input, '--out', join(dir, 'out.jsonl')]));
    }
    const bareRate = spans / median(bare.map((r) => r.seconds));
    const checkRate = spans / median(check.map((r) => r.seconds));
    return [
      { name: `tracejudge check, ${spans} spans (incl. process start)`, value: Math.round(checkRate), unit: 'spans/s', baseline: Math.round(bareRate), ratio: checkRate / bareRate },
      { name: 'tracejudge check peak RSS', value: median(check.map((r) => r.maxRssMiB)), unit: 'MiB', baseline: median(bare.map((r) => r.maxRssMiB)), ratio: median(check.map((r) => r.maxRssMiB)) / median(bare.map((r) => r.maxRssMiB)) },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await runSuite('tracejudge check (batch mode) vs a bare JSON parse/stringify relay', () => runCheckCliBench());
