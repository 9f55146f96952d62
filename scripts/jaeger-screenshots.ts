/**
 * The screenshots of docs/seeing-results.md: the demo's traces in the real Jaeger UI, without a
 * Jaeger backend. Not run in CI (it needs a jaeger-ui build and a browser); run it by hand:
 *
 *   1. jaeger-ui built from its public source (github.com/jaegertracing/jaeger-ui, `pnpm install`
 *      then `pnpm -r build`); its `packages/jaeger-ui/build` folder is what this serves.
 *   2. puppeteer-core somewhere outside this repository (`npm i --prefix /tmp/shots puppeteer-core`)
 *      and a Chromium (`apt-get install chromium`).
 *   3. `npm run demo` (writes out/demo-traces.jsonl), then
 *      JAEGER_UI_BUILD=/path/to/jaeger-ui/packages/jaeger-ui/build PUPPETEER_CORE=/tmp/shots/node_modules/puppeteer-core \
 *        node scripts/jaeger-screenshots.ts out/demo-traces.jsonl docs/images
 *
 * Jaeger UI loads an uploaded OTLP file through its backend (`/api/transform`); with no backend
 * this converts the spans to the Jaeger JSON the UI reads on its own (the same fields Jaeger's
 * OTLP translator writes: tags, logs for events, `error`/`otel.status_*` for status, span.kind).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { decodeTraceRequestJson } from '../src/otlp/index.ts';
import type { DecodedSpan } from '../src/otlp/index.ts';

type JaegerTag = { key: string; type: 'string' | 'bool' | 'int64' | 'float64'; value: string | number | boolean };

function tag(key: string, value: unknown): JaegerTag {
  if (typeof value === 'boolean') return { key, type: 'bool', value };
  if (typeof value === 'number') return { key, type: Number.isInteger(value) ? 'int64' : 'float64', value };
  if (typeof value === 'bigint') return { key, type: 'int64', value: Number(value) };
  if (typeof value === 'string') return { key, type: 'string', value };
  return { key, type: 'string', value: JSON.stringify(value, (_, item) => (typeof item === 'bigint' ? Number(item) : item)) };
}

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const micros = (nanos: bigint) => Number(nanos / 1000n);

function jaegerTraces(spans: readonly DecodedSpan[]): unknown {
  const byTrace = new Map<string, DecodedSpan[]>();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  const data = [...byTrace].map(([traceID, members]) => {
    const processes: Record<string, { serviceName: string; tags: JaegerTag[] }> = {};
    const processOf = new Map<string, string>();
    const jaegerSpans = members.map((span) => {
      const resource = span.resource.attributes;
      const key = JSON.stringify(resource);
      let processID = processOf.get(key);
      if (processID === undefined) {
        processID = `p${processOf.size + 1}`;
        processOf.set(key, processID);
        processes[processID] = {
          serviceName: String(resource['service.name'] ?? 'unknown'),
          tags: Object.entries(resource).filter(([name]) => name !== 'service.name').map(([name, value]) => tag(name, value)),
        };
      }
      const tags = Object.entries(span.attributes).map(([name, value]) => tag(name, value));
      tags.push(tag('span.kind', KINDS[span.kind] ?? 'internal'), tag('otel.scope.name', span.scope.name));
      if (span.status.code === 2) tags.push(tag('error', true), tag('otel.status_code', 'ERROR'), ...(span.status.message ? [tag('otel.status_description', span.status.message)] : []));
      return {
        traceID,
        spanID: span.spanId,
        operationName: span.name,
        references: span.parentSpanId ? [{ refType: 'CHILD_OF', traceID, spanID: span.parentSpanId }] : [],
        startTime: micros(span.startTimeUnixNano),
        duration: Math.max(1, micros(span.endTimeUnixNano - span.startTimeUnixNano)),
        tags,
        logs: span.events.map((event) => ({ timestamp: micros(event.timeUnixNano), fields: [tag('event', event.name), ...Object.entries(event.attributes).map(([name, value]) => tag(name, value))] })),
        processID,
        warnings: null,
        flags: 1,
      };
    });
    return { traceID, spans: jaegerSpans, processes, warnings: null };
  });
  return { data };
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The trace of the first span with a failed `name` result. */
function traceWith(spans: readonly DecodedSpan[], name: string): string {
  const failed = spans.find((span) =>
    span.events.some((event) => event.attributes['gen_ai.evaluation.name'] === name && event.attributes['gen_ai.evaluation.score.label'] === 'fail'),
  );
  if (!failed) throw new Error(`no span with a failed ${name}`);
  return failed.traceId;
}

function serve(root: string): Promise<{ url: string; close(): void }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2' };
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    // The UI's own API calls have no backend here: empty answers keep its pages quiet.
    if (path.startsWith('/api/')) return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
    let file = join(root, path);
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      file = join(root, 'index.html'); // a client-side route
      body = readFileSync(file);
    }
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() })));
}

const [input = 'out/demo-traces.jsonl', outDir = 'docs/images'] = process.argv.slice(2);
const build = process.env.JAEGER_UI_BUILD;
const puppeteerPath = process.env.PUPPETEER_CORE;
if (!build || !puppeteerPath) {
  console.error('set JAEGER_UI_BUILD (a jaeger-ui build folder) and PUPPETEER_CORE (a puppeteer-core install); see the header of this file');
  process.exit(2);
}
const spans = readFileSync(input, 'utf8').split('\n').filter((line) => line.trim() !== '').flatMap((line) => decodeTraceRequestJson(line).spans);
const jaegerFile = join(tmpdir(), 'tracejudge-jaeger-traces.json');
writeFileSync(jaegerFile, JSON.stringify(jaegerTraces(spans)));
mkdirSync(outDir, { recursive: true });

const { default: puppeteer } = (await import(resolve(puppeteerPath, 'lib/esm/puppeteer/puppeteer-core.js'))) as { default: any };
const site = await serve(build);
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new'], defaultViewport: { width: 1400, height: 900 } });
try {
  const page = await browser.newPage();
  // The span detail in the side panel: in the inline detail row of this jaeger-ui the Events and
  // Attributes accordions did not open (their toggles reach a store the row does not re-render from).
  await page.evaluateOnNewDocument(() => {
    localStorage.setItem('detailPanelMode', 'sidepanel');
    localStorage.setItem('sidePanelWidth', '0.5');
  });
  await page.goto(`${site.url}/search`, { waitUntil: 'networkidle0' });
  await (await page.waitForSelector('.ant-tabs-tab ::-p-text(Upload)')).click();
  const upload = await page.waitForSelector('input[type=file]');
  page.on('console', (message: any) => {
    if (message.type() === 'error') console.error('jaeger-ui:', message.text());
  });
  await upload.uploadFile(jaegerFile);
  await page.waitForSelector('.SearchResults', { timeout: 15_000 });
  await pause(1_000);
  await page.screenshot({ path: join(outDir, 'jaeger-search-results.png') });

  // A trace with a failed commitment check (its ERROR status, with events.failedSpanStatus, counts in "Errors").
  const wanted = process.env.TRACE_ID ?? traceWith(spans, 'commitment.price');
  await page.evaluate((id: string) => {
    const link = [...document.querySelectorAll('a')].find((anchor) => anchor.getAttribute('href')?.includes(id));
    if (!link) throw new Error(`no link to trace ${id}`);
    (link as HTMLElement).click();
  }, wanted);
  await page.waitForSelector('.span-row', { timeout: 15_000 });
  await pause(1_000);
  await page.screenshot({ path: join(outDir, 'jaeger-trace-timeline.png') });

  // The failed chat span: its detail opens on the GenAI tab; its results are under Details → Events.
  await page.evaluate(() => {
    const row = [...document.querySelectorAll('.span-row')].find((candidate) => candidate.textContent?.includes('chat'));
    (row?.querySelector('.span-name') as HTMLElement | null)?.click();
  });
  await page.waitForSelector('.SpanDetailSidePanel', { timeout: 10_000 });
  await pause(500);
  await page.screenshot({ path: join(outDir, 'jaeger-genai-tab.png') });
  await (await page.waitForSelector('.ant-tabs-tab ::-p-text(Details)')).click();
  await pause(300);
  // Events are open by default there; each evaluation result in it is opened.
  await page.waitForSelector('.AccordionEvents--content', { timeout: 5_000 });
  for (const item of await page.$$('.AccordionEvents--content .AccordionAttributes--header')) await item.evaluate((header: HTMLElement) => header.click());
  await pause(500);
  const events = await page.$('.SpanDetailSidePanel .AccordionEvents');
  await events.screenshot({ path: join(outDir, 'jaeger-span-events.png') });

  // The turn span: the judge's scores for the conversation (results on a held span, stamped at its end).
  await page.evaluate(() => {
    const row = [...document.querySelectorAll('.span-row')].find((candidate) => candidate.textContent?.includes('invoke_agent'));
    (row?.querySelector('.span-name') as HTMLElement | null)?.click();
  });
  await pause(800);
  await (await page.waitForSelector('.ant-tabs-tab ::-p-text(Details)')).click();
  await page.waitForSelector('.AccordionEvents--content', { timeout: 5_000 });
  // Collapsed: the count says they are all in range; each opens as the check's did.
  await pause(500);
  await (await page.$('.SpanDetailSidePanel .AccordionEvents')).screenshot({ path: join(outDir, 'jaeger-judge-events.png') });

  // One search finds the failed spans: the summary attribute every evaluated span carries.
  const find = await page.waitForSelector('input[placeholder*="Find"], .TracePageSearchBar input');
  await find.type('tracejudge.evaluation.failed=true');
  await pause(1_000);
  await page.screenshot({ path: join(outDir, 'jaeger-find-failed.png') });
  console.log(`${spans.length} spans in ${new Set(spans.map((span) => span.traceId)).size} traces loaded; screenshots in ${outDir}`);
} finally {
  await browser.close();
  site.close();
}
