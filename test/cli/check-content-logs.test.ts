import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonLogsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLogsRequestJson, decodeTraceRequestJson } from '../../src/otlp/index.ts';
import type { DecodedLogRecord, DecodedSpan } from '../../src/otlp/index.ts';
import { installContextManager } from '../instrumentation/tracing-harness.ts';
import { contribHandler, contribOpenAI, GROUNDED, runContribConversation, UNGROUNDED } from '../support/contrib-openai.ts';
import { startOpenAITestServer } from '../support/openai-test-server.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';
import { runCli } from './support/cli-process.ts';
import { labels } from './support/turns.ts';
import { loadLabelledRows } from '../checks/precision-recall.ts';
import { renderRow } from '../shapes/render.ts';

let dir: string;
let tracesLines: string[];
let logsLines: string[];
let recordCount: number;

/**
 * What the OTel Collector's file exporter writes for an agent on the official OpenAI
 * instrumentation: one file of ExportTraceServiceRequest lines, one of ExportLogsServiceRequest
 * lines (one line per conversation here), serialized by the official JSON serializers.
 */
beforeAll(async () => {
  installContextManager();
  dir = makeTempDir('tracejudge-check-logs-');
  const model = await startOpenAITestServer(contribHandler([GROUNDED, UNGROUNDED]));
  tracesLines = [];
  logsLines = [];
  recordCount = 0;
  for (const script of [GROUNDED, UNGROUNDED]) {
    const spans = new InMemorySpanExporter();
    const records = new InMemoryLogRecordExporter();
    const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
    const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: records })] });
    const OpenAI = contribOpenAI(tracerProvider, loggerProvider);
    await runContribConversation(new OpenAI({ baseURL: model.baseURL, apiKey: 'test', maxRetries: 0 }), script, tracerProvider);
    await loggerProvider.forceFlush();
    tracesLines.push(Buffer.from(JsonTraceSerializer.serializeRequest(spans.getFinishedSpans())!).toString('utf8'));
    logsLines.push(Buffer.from(JsonLogsSerializer.serializeRequest(records.getFinishedLogRecords())!).toString('utf8'));
    recordCount += records.getFinishedLogRecords().length;
  }
  await model.close();
});
afterAll(removeTempDirs);

async function file(name: string, lines: readonly string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, lines.map((line) => `${line}\n`).join(''));
  return path;
}

function readOutput(text: string): { spans: DecodedSpan[]; logs: DecodedLogRecord[] } {
  const spans: DecodedSpan[] = [];
  const logs: DecodedLogRecord[] = [];
  for (const line of text.split('\n').filter(Boolean)) {
    if (line.includes('"resourceLogs"')) logs.push(...decodeLogsRequestJson(line).records);
    else spans.push(...decodeTraceRequestJson(line).spans);
  }
  return { spans, logs };
}

function labelsByResponse(spans: readonly DecodedSpan[]): Record<string, Record<string, unknown>> {
  const found: Record<string, Record<string, unknown>> = {};
  for (const span of spans) {
    const spanLabels = labels(span);
    if (Object.keys(spanLabels).length > 0) found[String(span.attributes['gen_ai.response.id'])] = spanLabels;
  }
  return found;
}

const EXPECTED = {
  'chatcmpl-contrib-grounded-2': { 'commitment.price': 'pass', 'commitment.time': 'pass', 'commitment.refund': 'pass' },
  'chatcmpl-contrib-grounded-3': { 'commitment.price': 'pass', 'commitment.time': 'pass' },
  'chatcmpl-contrib-ungrounded-2': { 'commitment.price': 'fail', 'commitment.time': 'fail', 'commitment.refund': 'fail' },
  'chatcmpl-contrib-ungrounded-3': { 'commitment.price': 'fail', 'commitment.time': 'fail' },
};

describe('tracejudge check over the file exporter\'s two files (content as log records)', () => {
  it('joins the logs file to the traces file given before it: every reply checked, every input record kept', async () => {
    const traces = await file('traces.jsonl', tracesLines);
    const logs = await file('logs.jsonl', logsLines);
    const out = join(dir, 'out.jsonl');
    const result = await runCli(['check', '--in', traces, '--in', logs, '--out', out]);
    expect(result.stderr).toContain('10 spans accepted');
    expect(result.code).toBe(0);
    const output = readOutput(await readFile(out, 'utf8'));
    expect(labelsByResponse(output.spans)).toEqual(EXPECTED);
    expect(output.spans).toHaveLength(10);
    expect(output.logs).toHaveLength(recordCount);
    expect(result.stderr).toContain(`${recordCount} log records accepted, 0 rejected; ${recordCount} GenAI content records, ${recordCount} joined to their spans, 0 spans evaluated after them`);
  });

  it('from stdin, logs after their spans: the replies are checked late, results written as log lines (--out-logs)', async () => {
    const out = join(dir, 'late.jsonl');
    const outLogs = join(dir, 'late-logs.jsonl');
    const stdin = [...tracesLines, ...logsLines].map((line) => `${line}\n`).join('');
    const result = await runCli(['check', '--in', '-', '--out', out, '--out-logs', outLogs], { stdin });
    expect(result.code).toBe(0);
    const traces = readOutput(await readFile(out, 'utf8'));
    expect(traces.logs).toHaveLength(0);
    expect(labelsByResponse(traces.spans)).toEqual({});
    const logs = readOutput(await readFile(outLogs, 'utf8')).logs;
    const results = logs.filter((record) => record.eventName === 'gen_ai.evaluation.result');
    expect(logs.length - results.length).toBe(recordCount);
    const late: Record<string, Record<string, unknown>> = {};
    const chatSpans = new Map(traces.spans.map((span) => [span.spanId, span]));
    for (const record of results) {
      expect(chatSpans.get(record.spanId!)?.traceId).toBe(record.traceId);
      (late[String(record.attributes['gen_ai.response.id'])] ??= {})[String(record.attributes['gen_ai.evaluation.name'])] = record.attributes['gen_ai.evaluation.score.label'];
    }
    expect(late).toEqual(EXPECTED);
    expect(result.stderr).toContain('10 result log records written');
  });

  it('malformed logs lines are rejected by line, the rest still checked; --in twice from stdin is a usage error', async () => {
    const traces = await file('traces2.jsonl', tracesLines);
    const logs = await file('logs2.jsonl', ['{"resourceLogs": [', logsLines[0]!, logsLines[1]!, '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"xyz"}]}]}]}']);
    const out = join(dir, 'out2.jsonl');
    const result = await runCli(['check', '--in', traces, '--in', logs, '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/logs2\.jsonl:1: not valid JSON/);
    expect(result.stderr).toMatch(/logs2\.jsonl:4: resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.traceId: expected 32 hex characters/);
    expect(labelsByResponse(readOutput(await readFile(out, 'utf8')).spans)).toEqual(EXPECTED);
    const twice = await runCli(['check', '--in', '-', '--in', '-', '--out', out]);
    expect([twice.code, twice.stderr]).toEqual([2, expect.stringContaining('--in - (stdin) can be given once')]);
    const none = await runCli(['check', '--out', out]);
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining("required option '--in <file>' not specified")]);
  });

  it('events.logs: every result also as a log line beside the span events', async () => {
    const traces = await file('traces3.jsonl', tracesLines);
    const logs = await file('logs3.jsonl', logsLines);
    const out = join(dir, 'out3.jsonl');
    const result = await runCli(['check', '--in', logs, '--in', traces, '--out', out], { env: { TRACEJUDGE_EVENTS_LOGS: 'true' } });
    expect(result.code).toBe(0);
    const output = readOutput(await readFile(out, 'utf8'));
    expect(labelsByResponse(output.spans)).toEqual(EXPECTED);
    const results = output.logs.filter((record) => record.eventName === 'gen_ai.evaluation.result');
    expect(results).toHaveLength(10);
    expect(output.logs.length - results.length).toBe(recordCount);
  });

  it('a logs file read ahead of traces an hour long: content is held from its own time, not expired by later records', async () => {
    // Two conversations 70 minutes apart (the join holds records 5 minutes): read ahead, the first
    // one's records must not expire because the second one's records are later.
    const rows = loadLabelledRows().filter((row) => row.id === 'clinic-en-02' || row.id === 'clinic-en-05');
    const rendered = rows.map((row, i) => renderRow(row, i * 420, 'genai-logs-1.36'));
    const traces = await file('hour-traces.jsonl', rendered.flatMap((r) => r.traces));
    const logs = await file('hour-logs.jsonl', rendered.map((r) => r.logs!));
    const out = join(dir, 'hour-out.jsonl');
    const result = await runCli(['check', '--in', traces, '--in', logs, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('0 spans evaluated after them');
    const chats = readOutput(await readFile(out, 'utf8')).spans.filter((span) => span.name === 'chat gpt-test');
    expect(chats.map((span) => labels(span))).toEqual([
      { 'commitment.price': 'pass', 'commitment.time': 'fail' },
      { 'commitment.price': 'fail', 'commitment.time': 'pass' },
    ]);
  });

  it('content read from a file waits for spans that come later from stdin, in the data\'s time', async () => {
    const logs = await file('logs4.jsonl', [logsLines[0]!]);
    const out = join(dir, 'out4.jsonl');
    // stdin: one conversation's traces, then its logs (late: checked then), then the other's traces,
    // whose content was read from the file and must still be waiting for them.
    const stdin = [tracesLines[1]!, logsLines[1]!, tracesLines[0]!].map((line) => `${line}\n`).join('');
    const result = await runCli(['check', '--in', logs, '--in', '-', '--out', out], { stdin });
    expect(result.code).toBe(0);
    const output = readOutput(await readFile(out, 'utf8'));
    expect(labelsByResponse(output.spans)).toEqual({
      'chatcmpl-contrib-grounded-2': EXPECTED['chatcmpl-contrib-grounded-2'],
      'chatcmpl-contrib-grounded-3': EXPECTED['chatcmpl-contrib-grounded-3'],
    });
    const late = output.logs.filter((record) => record.eventName === 'gen_ai.evaluation.result');
    expect(new Set(late.map((record) => record.attributes['gen_ai.response.id']))).toEqual(new Set(['chatcmpl-contrib-ungrounded-2', 'chatcmpl-contrib-ungrounded-3']));
  });
});
