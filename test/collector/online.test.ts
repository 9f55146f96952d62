import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createOnlineStage } from '../../processors/index.ts';
import type { OnlineStageParts, SpanStage } from '../../processors/index.ts';
import { endingViewOf } from '../../processors/ending-view.ts';
import { spanRecordFromReadable } from '../../src/model/index.ts';
import { OtlpForwarder } from '../../src/collector/forward/forwarder.ts';
import type { DecodedSpan } from '../../src/otlp/index.ts';
import { CollectorService } from '../../src/collector/service.ts';
import { resolveConfig } from '../../src/config/index.ts';
import type { TracejudgeConfigInput } from '../../src/config/index.ts';
import { turnSpecs } from '../cli/support/turns.ts';
import { chatCompletion, startOpenAITestServer } from '../support/openai-test-server.ts';
import type { OpenAITestServer, ScriptedReply } from '../support/openai-test-server.ts';
import { CaptureServer, eventually, testConfig } from './forward/capture-server.ts';
import { recordSpans } from '../otlp/sdk-spans.ts';
import { exportWith, forwardedSpans } from './receive/receiver-support.ts';

/** A faithfulness answer (scale 1..5) as the judge's structured output. */
function judgeAnswer(score: number, delayMs?: number): ScriptedReply {
  const label = score >= 4 ? 'faithful' : 'unfaithful';
  const usage = { prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050 };
  return { json: chatCompletion(JSON.stringify({ reasoning: 'checked against the tool results', score, label }), { usage }), ...(delayMs !== undefined && { delayMs }) };
}

interface Running {
  readonly service: CollectorService;
  readonly online: OnlineStageParts;
  readonly capture: CaptureServer;
  readonly url: string;
}

const running: Running[] = [];
let judge: OpenAITestServer | undefined;

afterEach(async () => {
  for (const { service, online, capture } of running.splice(0)) {
    await service.stop();
    await online.close();
    await capture.down();
  }
  await judge?.close();
  judge = undefined;
});

/** `tracejudge collect` as the CLI wires it: the online stage built from the same config as the checks. */
async function startCollector(config: TracejudgeConfigInput): Promise<Running> {
  const resolved = resolveConfig(config, { env: { OPENAI_API_KEY: 'test-key' } });
  const capture = await CaptureServer.start();
  let service: CollectorService | undefined;
  const online = await createOnlineStage(resolved, { conversationOfTrace: (traceId) => service?.conversationOfTrace(traceId), judgeOptions: { apiKey: 'test-key' } });
  const forwarder = new OtlpForwarder(testConfig(capture.tracesUrl), { flushTimeoutMs: 5000, shutdownTimeoutMs: 5000 });
  service = new CollectorService({ forwarder, receiver: { host: '127.0.0.1', port: 0 }, pipeline: { sinks: online.checkSinks }, stages: [online.stage] });
  const url = `http://127.0.0.1:${(await service.start()).port}`;
  const started = { service, online, capture, url };
  running.push(started);
  return started;
}

const judged = (config: { holdMs: number }): TracejudgeConfigInput => ({
  sampling: { strata: [{ name: 'all', rate: 1 }], budget: { maxJudgeCostShareOfInference: null } },
  judge: { model: 'gpt-4.1-mini', baseURL: judge!.baseURL, rubrics: ['faithfulness'], maxRetries: 0, timeout: '5s', scope: 'turn', holdMs: config.holdMs },
});

function resultsOn(span: DecodedSpan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const event of span.events) {
    if (event.name === 'gen_ai.evaluation.result') out[String(event.attributes['gen_ai.evaluation.name'])] = event.attributes['gen_ai.evaluation.score.label'];
  }
  return out;
}

const turn = (conversationId: string, reply: string, at = 1_750_000_000) => recordSpans(turnSpecs({ conversationId, toolResult: { room: 'suite', price: '$249.00' }, reply, at }));

describe('collect with the online stage', () => {
  it('stages read the view the pipeline made of each span, as in the SDK, instead of normalizing it again', async () => {
    const capture = await CaptureServer.start();
    let normalizedAgain = 0;
    const operations: string[] = [];
    const viewReader: SpanStage = {
      name: 'view-reader',
      onEnding(span) {
        const view = endingViewOf(span, () => {
          normalizedAgain++;
          return spanRecordFromReadable(span as never);
        }, undefined);
        operations.push(view.operation);
      },
      onEnd: (span, forward) => forward(span),
    };
    const forwarder = new OtlpForwarder(testConfig(capture.tracesUrl), { flushTimeoutMs: 5000, shutdownTimeoutMs: 5000 });
    const service = new CollectorService({ forwarder, receiver: { host: '127.0.0.1', port: 0 }, pipeline: {}, stages: [viewReader] });
    const url = `http://127.0.0.1:${(await service.start()).port}`;
    try {
      expect((await exportWith('proto', url, [...(await turn('views-1', 'The suite is $249.00 per night.')), ...(await turn('views-2', 'It is $199.00.'))])).code).toBe(ExportResultCode.SUCCESS);
      await eventually(() => forwardedSpans(capture).length === 6, 'the six spans forwarded');
      // Two turns of three spans, in one request: every stage call found the pipeline's view of its span.
      expect(operations.toSorted()).toEqual(['chat', 'chat', 'execute_tool', 'execute_tool', 'invoke_agent', 'invoke_agent']);
      expect(normalizedAgain).toBe(0);
    } finally {
      await service.stop();
      await capture.down();
    }
  });

  it('a turn span whose recorded end precedes its children still ends after them (its decision sees their tool calls); a child sent after its turn waits only until the idle sweep', async () => {
    // As the JS SDK stamps a fast turn: starts in whole milliseconds (Date.now), ends by performance.now,
    // so the invoke_agent span's recorded end can fall before its children's (here 1.5 µs against 2 and 4).
    const { online, capture, url, service } = await startCollector({
      sampling: { strata: [{ name: 'with_tools', rate: 1, when: { hasToolCalls: true } }, { name: 'routine', rate: 0 }], budget: { maxJudgeCostShareOfInference: null } },
    });
    const specs = turnSpecs({ conversationId: 'conv-skewed', toolResult: { room: 'suite', price: '$249.00' }, reply: 'The suite is $249.00.', at: 1_750_000_000 });
    const skewed = [{ ...specs[0]!, end: [1_750_000_000, 1_500] as [number, number] }];
    const spans = await recordSpans(skewed);
    const agent = spans.find((span) => span.name.startsWith('invoke_agent'))!;
    expect(spans.filter((span) => span !== agent).every((child) => child.endTime[1] > agent.endTime[1])).toBe(true);
    expect((await exportWith('proto', url, spans)).code).toBe(ExportResultCode.SUCCESS);

    await eventually(() => forwardedSpans(capture).length === 3, 'the three spans forwarded');
    const forwardedAgent = forwardedSpans(capture).find((span) => span.name.startsWith('invoke_agent'))!;
    expect(forwardedAgent.attributes['tracejudge.sampling.stratum']).toBe('with_tools');
    expect(online.stage.stats().pendingTraces).toBe(0);
    expect(resultsOn(forwardedSpans(capture).find((span) => span.name.startsWith('chat'))!)).toEqual({ 'commitment.price': 'pass' });
    expect(service.stats().pipeline.repliesChecked).toBe(1);

    // A child sent in a later request than its turn span waits for a turn that has passed, until the idle sweep.
    const late = (await recordSpans(turnSpecs({ conversationId: 'conv-late', toolResult: { room: 'twin' }, reply: 'Done.', at: 1_750_000_100 }))).filter((span) =>
      span.name.startsWith('execute_tool'),
    );
    expect((await exportWith('proto', url, late)).code).toBe(ExportResultCode.SUCCESS);
    await eventually(() => forwardedSpans(capture).length === 4, 'the late child forwarded');
    expect(online.stage.stats().pendingTraces).toBe(1);
    online.stage.sweepIdle(Date.now() + 300_000);
    expect(online.stage.stats()).toMatchObject({ pendingTraces: 0, buffer: { pendingTracesExpired: 1, childrenDropped: 1 } });
  });

  it('writes the sampling decision on the turn span and the judge result as an event on it while its forwarding is held', async () => {
    judge = await startOpenAITestServer(() => judgeAnswer(5));
    const { capture, url } = await startCollector(judged({ holdMs: 10_000 }));
    expect((await exportWith('proto', url, await turn('online-1', 'The suite is $249.00 per night.'))).code).toBe(ExportResultCode.SUCCESS);
    await eventually(() => forwardedSpans(capture).length === 3, 'the three spans forwarded');

    const spans = forwardedSpans(capture);
    const agent = spans.find((span) => span.name.startsWith('invoke_agent'))!;
    expect(agent.attributes['tracejudge.sampling.sampled']).toBe(true);
    expect(agent.attributes['tracejudge.sampling.stratum']).toBe('all');
    expect(agent.attributes['tracejudge.sampling.rate']).toBe(1);
    expect(resultsOn(agent)).toEqual({ faithfulness: 'faithful' });
    expect(resultsOn(spans.find((span) => span.name.startsWith('chat'))!)).toEqual({ 'commitment.price': 'pass' });
    expect(spans.some((span) => span.name.startsWith('evaluate '))).toBe(false);
    // The judge saw the turn's content, delimited as data.
    expect(judge.requests).toHaveLength(1);
    expect(JSON.stringify(judge.requests[0].body)).toContain('The suite is $249.00 per night.');
  });

  it('past holdMs forwards the span without waiting, and the late result arrives on an evaluate child span of it', async () => {
    judge = await startOpenAITestServer(() => judgeAnswer(2, 700));
    const { capture, url } = await startCollector(judged({ holdMs: 50 }));
    expect((await exportWith('proto', url, await turn('online-2', 'The suite is $199.00 tonight.'))).code).toBe(ExportResultCode.SUCCESS);
    await eventually(() => forwardedSpans(capture).length === 3, 'the turn forwarded before the judge answers');
    const agent = forwardedSpans(capture).find((span) => span.name.startsWith('invoke_agent'))!;
    expect(resultsOn(agent)).toEqual({});

    await eventually(() => forwardedSpans(capture).some((span) => span.name.startsWith('evaluate ')), 'the evaluation child span forwarded');
    const child = forwardedSpans(capture).find((span) => span.name.startsWith('evaluate '))!;
    expect(child.name).toBe('evaluate faithfulness');
    expect(child.traceId).toBe(agent.traceId);
    expect(child.parentSpanId).toBe(agent.spanId);
    expect(resultsOn(child)).toEqual({ faithfulness: 'unfaithful' });
  });

  it('forwards every held span on stop when the judge never answers, with an error result, none lost', async () => {
    judge = await startOpenAITestServer(() => ({ hang: true }));
    const collector = await startCollector({ ...judged({ holdMs: 60_000 }), judge: { ...judged({ holdMs: 60_000 }).judge!, timeout: '60s' } });
    expect((await exportWith('proto', collector.url, await turn('online-3', 'It is $249.00.'))).code).toBe(ExportResultCode.SUCCESS);
    await eventually(() => judge!.requests.length === 1, 'the judge was asked');
    expect(forwardedSpans(collector.capture).some((span) => span.name.startsWith('invoke_agent'))).toBe(false);

    running.splice(running.indexOf(collector), 1);
    await collector.service.stop();
    await collector.online.close();
    const spans = forwardedSpans(collector.capture);
    await collector.capture.down();
    expect(spans.filter((span) => !span.name.startsWith('evaluate ')).map((span) => span.name).sort()).toEqual([
      'chat gpt-4.1-mini',
      'execute_tool lookup_price',
      'invoke_agent concierge',
    ]);
    const withResult = spans.flatMap((span) => span.events).filter((event) => event.attributes['gen_ai.evaluation.name'] === 'faithfulness');
    expect(withResult).toHaveLength(1);
    expect(withResult[0].attributes['error.type']).toBeTypeOf('string');
  });
});
