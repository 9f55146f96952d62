import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startStandInModel, type StandInModel } from '../../examples/demo/stand-in-model.ts';
import { cleanEnv, startCollect, type RunningCollect } from '../cli/support/collect-process.ts';
import { REPO } from '../cli/support/cli-process.ts';
import { post } from './receive/receiver-support.ts';
import { CaptureServer, eventually } from './forward/capture-server.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';
import { MetricNames } from '../../src/results/index.ts';

/**
 * The compose stack's documented run without Docker: `collect` with the stack's config
 * (examples/compose/tracejudge.yaml) judging with the stand-in model, the demo sending to it over
 * OTLP/HTTP, then every expression of the Grafana dashboard checked against what /metrics serves:
 * each metric it reads exists, carries every label the expression groups or filters by, and a
 * filter's value is one that occurs. A renamed metric or label, a label the collector never sets
 * (the cohort panel of issue 15), or a panel on a metric nobody records fails here.
 */

interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function parseExposition(text: string): Series[] {
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[label[1]!] = label[2]!;
    series.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return series;
}

/** The parts of a PromQL expression a dashboard depends on: metrics, the labels grouped by, the matchers. */
interface ExpressionNeeds {
  readonly metrics: Set<string>;
  /** label → the metrics inside the aggregation that groups by it. */
  readonly groupedBy: { label: string; metrics: string[] }[];
  readonly matchers: { metric: string; label: string; op: string; value: string }[];
}

const NOT_METRICS = new Set(['by', 'without', 'ignoring', 'on', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless']);

function metricsIn(text: string): string[] {
  const stripped = text
    .replace(/\b(by|without|ignoring|on)\s*\([^)]*\)/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names: string[] = [];
  for (const match of stripped.matchAll(/(?<![\w.$])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)) {
    if (!NOT_METRICS.has(match[1]!)) names.push(match[1]!);
  }
  return names;
}

function needsOf(expr: string): ExpressionNeeds {
  const metrics = new Set(metricsIn(expr));
  const groupedBy: ExpressionNeeds['groupedBy'] = [];
  for (const match of expr.matchAll(/\bby\s*\(([^)]*)\)\s*\(/g)) {
    // The aggregation's argument: from its opening parenthesis to the one that closes it.
    const open = match.index! + match[0].length - 1;
    let depth = 0;
    let close = open;
    for (; close < expr.length; close++) {
      if (expr[close] === '(') depth++;
      else if (expr[close] === ')' && --depth === 0) break;
    }
    const inner = metricsIn(expr.slice(open, close + 1));
    for (const label of match[1]!.split(',').map((name) => name.trim()).filter(Boolean)) groupedBy.push({ label, metrics: inner });
  }
  const matchers: ExpressionNeeds['matchers'] = [];
  for (const selector of expr.matchAll(/([a-zA-Z_:][\w:]*)\{([^}]*)\}/g)) {
    for (const matcher of selector[2]!.matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
      matchers.push({ metric: selector[1]!, label: matcher[1]!, op: matcher[2]!, value: matcher[3]! });
    }
  }
  return { metrics, groupedBy, matchers };
}

interface DashboardTarget {
  readonly panel: string;
  readonly expr: string;
}

/** Every target of every panel, once per value of the dashboard's custom variables; `$rubric` (a query variable) matches all. */
function dashboardTargets(): DashboardTarget[] {
  const dashboard = JSON.parse(readFileSync(join(REPO, 'examples/grafana/tracejudge-dashboard.json'), 'utf8'));
  const custom = (dashboard.templating.list as { name: string; type: string; query: string }[]).filter((variable) => variable.type === 'custom');
  const targets: DashboardTarget[] = [];
  for (const panel of dashboard.panels as { title: string; targets?: { expr: string }[] }[]) {
    for (const target of panel.targets ?? []) {
      let exprs = [target.expr.replaceAll('$rubric', '.*')];
      for (const variable of custom) {
        exprs = exprs.flatMap((expr) => (expr.includes(`$${variable.name}`) ? variable.query.split(',').map((value) => expr.replaceAll(`$${variable.name}`, value)) : [expr]));
      }
      for (const expr of exprs) targets.push({ panel: panel.title, expr });
    }
  }
  return targets;
}

/**
 * Counters tracejudge declares that the OTel SDK exports only after their first increment (judge
 * errors, shed work): a panel on one says `or vector(0)`, so an absent series reads as zero.
 */
const DECLARED_COUNTERS = new Set(Object.values(MetricNames).map((name) => `${name.replaceAll('.', '_')}_total`));

function problemsOf(target: DashboardTarget, series: readonly Series[]): string[] {
  const { metrics, groupedBy, matchers } = needsOf(target.expr);
  const of = (metric: string) => series.filter((sample) => sample.name === metric);
  const zeroWhenAbsent = /\bor\s+vector\(0\)\s*$/.test(target.expr);
  const problems: string[] = [];
  for (const metric of metrics) {
    if (of(metric).length > 0 || (zeroWhenAbsent && DECLARED_COUNTERS.has(metric))) continue;
    const near = [...new Set(series.map((sample) => sample.name))].filter((name) => name.startsWith(metric.split('_').slice(0, 3).join('_')));
    problems.push(`no series ${metric}${near.length > 0 ? ` (served: ${near.join(', ')})` : ''}`);
  }
  for (const { label, metrics: inner } of groupedBy) {
    for (const metric of inner) {
      if (label !== 'le' || metric.endsWith('_bucket')) {
        if (of(metric).length > 0 && !of(metric).some((sample) => label in sample.labels)) problems.push(`${metric} has no label ${label}`);
      }
    }
  }
  for (const { metric, label, op, value } of matchers) {
    const values = of(metric).map((sample) => sample.labels[label]);
    const matches = (candidate: string | undefined) =>
      op === '=' ? candidate === value : op === '=~' ? candidate !== undefined && new RegExp(`^(?:${value})$`).test(candidate) : true;
    if (of(metric).length > 0 && !values.some(matches)) problems.push(`${metric}{${label}${op}"${value}"} matches no series (values: ${[...new Set(values)].join(', ')})`);
  }
  return problems.map((problem) => `${target.panel}: ${problem}\n    in ${target.expr}`);
}

async function scrape(url: string): Promise<Series[]> {
  const answer = await post(url, '', {}, 'GET');
  expect(answer.status).toBe(200);
  return parseExposition(answer.body.toString('utf8'));
}

function runDemo(collectorUrl: string, outDir: string): Promise<{ code: number | null; output: string }> {
  const env = cleanEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', TRACEJUDGE_DEMO_OUT: outDir });
  delete env.OPENAI_API_KEY;
  delete env.OPENAI_BASE_URL;
  const child = spawn(process.execPath, ['examples/demo/run.ts'], { cwd: REPO, env, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

const total = (series: readonly Series[], name: string, labels: Record<string, string> = {}) =>
  series.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value)).reduce((sum, sample) => sum + sample.value, 0);

let standIn: StandInModel | undefined;
let capture: CaptureServer | undefined;
let collect: RunningCollect | undefined;

afterEach(async () => {
  if (collect && collect.process.exitCode === null) collect.process.kill('SIGKILL');
  await collect?.exit;
  await capture?.down();
  await standIn?.close();
  collect = undefined;
  capture = undefined;
  standIn = undefined;
});
afterAll(removeTempDirs);

describe('the Grafana dashboard against a running collect', () => {
  it('reads only metrics and labels that collect serves after the documented compose run', { timeout: 120_000 }, async () => {
    standIn = await startStandInModel();
    capture = await CaptureServer.start();
    collect = await startCollect(
      ['--config', 'examples/compose/tracejudge.yaml', '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0', '--forward', capture.tracesUrl],
      // The stack's config, with the judge on this test's stand-in and conversations closed soon after the demo.
      cleanEnv({
        JUDGE_API_KEY: 'stand-in',
        TRACEJUDGE_JUDGE_BASE_URL: standIn.baseURL,
        TRACEJUDGE_CONVERSATIONS_IDLE_TIMEOUT: '1s',
        TRACEJUDGE_STORE_PATH: join(makeTempDir('tracejudge-dashboard-store-'), 'tracejudge.db'),
      }),
    );
    await eventually(() => /Prometheus metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/.test(collect!.stderr()), 'metrics endpoint announced', 10_000);
    const metricsUrl = /Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(collect.stderr())![1]!;

    const demo = await runDemo(collect.url, makeTempDir('tracejudge-dashboard-demo-'));
    expect(demo.code, demo.output).toBe(0);
    // A request the receiver refuses, so the status panel has more than 200s to show.
    expect((await post(`${collect.url}/v1/traces`, 'not json', { 'content-type': 'application/json' })).status).toBe(400);

    // The collector judges a conversation once it has been idle for a second: poll until it has.
    let series: Series[] = [];
    const deadline = Date.now() + 60_000;
    for (;;) {
      series = await scrape(metricsUrl);
      const judged = total(series, 'tracejudge_judge_calls_total') > 0 && total(series, 'tracejudge_evaluation_weight_total') > 0;
      if (judged && total(series, 'tracejudge_forwarder_spans_forwarded_total') > 0) break;
      if (Date.now() > deadline) throw new Error(`the collector judged nothing in 60 s:\n${collect.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const targets = dashboardTargets();
    expect(targets.length).toBeGreaterThan(20);
    expect(targets.flatMap((target) => problemsOf(target, series))).toEqual([]);

    // What the issue found empty: cohort labels on the reweighted scores, check scores in their strata.
    const weights = series.filter((sample) => sample.name === 'tracejudge_evaluation_weight_total' && sample.value > 0);
    expect(new Set(weights.map((sample) => sample.labels.app_vertical)).size).toBeGreaterThan(1);
    // Every scored result carries the cohort: a check's reply span has no app.* of its own, its turn has.
    expect(weights.filter((sample) => sample.labels.app_language === undefined)).toEqual([]);
    const checkStrata = new Set(
      series
        .filter((sample) => sample.name === 'gen_ai_evaluation_score_count' && sample.labels.gen_ai_evaluation_name?.startsWith('commitment.') && sample.value > 0)
        .map((sample) => sample.labels.tracejudge_sampling_stratum),
    );
    expect(checkStrata.has('all')).toBe(false);
    expect(checkStrata.has('undecided')).toBe(false);
    expect([...checkStrata].some((stratum) => ['escalations', 'tool_calls', 'non_english', 'routine'].includes(stratum!))).toBe(true);
    expect(total(series, 'tracejudge_receiver_requests_total', { http_response_status_code: '400' })).toBe(1);
  });

  it('catches what it is there to catch: a metric, a label or a filter value the collector does not serve', () => {
    const served: Series[] = [
      { name: 'tracejudge_judge_calls_total', labels: { outcome: 'ok' }, value: 3 },
      { name: 'tracejudge_evaluation_errors_total', labels: { error_type: 'timeout', tracejudge_evaluation_source: 'judge' }, value: 1 },
    ];
    const check = (expr: string) => problemsOf({ panel: 'p', expr }, served);
    expect(check('sum by (outcome) (rate(tracejudge_judge_calls_total[5m]))')).toEqual([]);
    expect(check('sum by (outcome) (rate(tracejudge_judge_call_total[5m]))')[0]).toContain('no series tracejudge_judge_call_total');
    expect(check('sum by (model) (rate(tracejudge_judge_calls_total[5m]))')[0]).toContain('has no label model');
    expect(check('sum(rate(tracejudge_evaluation_errors_total{tracejudge_evaluation_source="check"}[5m]))')[0]).toContain('matches no series');
    // Not yet incremented: fine behind `or vector(0)` for a counter tracejudge declares, never for a made-up name.
    expect(check('sum(rate(tracejudge_online_shed_total[5m]))')[0]).toContain('no series tracejudge_online_shed_total');
    expect(check('sum(rate(tracejudge_online_shed_total[5m])) or vector(0)')).toEqual([]);
    expect(check('sum(rate(tracejudge_online_shedded_total[5m])) or vector(0)')[0]).toContain('no series tracejudge_online_shedded_total');
  });
});
