import { SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { OtlpForwarder } from '../../src/collector/forward/forwarder.ts';
import { CollectorService } from '../../src/collector/service.ts';
import { resolveConfig } from '../../src/config/index.ts';
import { failedSpanStatus } from '../../src/results/evaluation-summary.ts';
import { pipelineOptionsFromConfig } from '../../processors/index.ts';
import { turnSpecs } from '../cli/support/turns.ts';
import { CaptureServer, eventually, testConfig } from '../collector/forward/capture-server.ts';
import { exportWith, forwardedSpans } from '../collector/receive/receiver-support.ts';
import { recordSpans } from '../otlp/sdk-spans.ts';
import { runTurn } from '../processors/support/agent-spans.ts';
import { sdkHarness } from '../processors/support/harness.ts';
import { judgeAnswer, startOnlineHarness, waitFor, type OnlineHarness } from '../processors/support/online-harness.ts';

const failedPrice = { 'tracejudge.evaluation.failed': true, 'tracejudge.evaluation.failed_names': ['commitment.price'] };

describe('events.failedSpanStatus: ERROR on a span with a failed evaluation', () => {
  it('sets ERROR with the failed names on an unset status or ours; leaves the app\'s ERROR or OK, and a pass', () => {
    expect(failedSpanStatus(failedPrice, { code: SpanStatusCode.UNSET })).toEqual({ code: SpanStatusCode.ERROR, message: 'tracejudge: failed evaluations: commitment.price' });
    expect(failedSpanStatus(failedPrice, undefined)?.code).toBe(SpanStatusCode.ERROR);
    const more = { ...failedPrice, 'tracejudge.evaluation.failed_names': ['commitment.price', 'faithfulness'] };
    expect(failedSpanStatus(more, { code: SpanStatusCode.ERROR, message: 'tracejudge: failed evaluations: commitment.price' })?.message).toBe('tracejudge: failed evaluations: commitment.price, faithfulness');
    expect(failedSpanStatus(failedPrice, { code: SpanStatusCode.ERROR, message: 'upstream timeout' })).toBeUndefined();
    expect(failedSpanStatus(failedPrice, { code: SpanStatusCode.OK })).toBeUndefined();
    expect(failedSpanStatus({ 'tracejudge.evaluation.failed': false, 'tracejudge.evaluation.failed_names': [] }, { code: SpanStatusCode.UNSET })).toBeUndefined();
  });

  it('in-process: the failed reply span gets ERROR, the passing one stays unset; off by default', () => {
    const turn = { user: 'Price?', tools: [{ name: 'lookup', result: { price: '$99.00' } }] };
    const on = sdkHarness({ failedSpanStatus: true });
    const failing = runTurn(on.tracer, { conversationId: 'c1', ...turn, reply: 'It is $129.00.' });
    const passing = runTurn(on.tracer, { conversationId: 'c2', ...turn, reply: 'It is $99.00.' });
    expect(on.span(failing.chatSpanId).status).toEqual({ code: SpanStatusCode.ERROR, message: 'tracejudge: failed evaluations: commitment.price' });
    expect(on.span(passing.chatSpanId).status.code).toBe(SpanStatusCode.UNSET);
    const off = sdkHarness();
    const unflagged = runTurn(off.tracer, { conversationId: 'c3', ...turn, reply: 'It is $129.00.' });
    expect(off.span(unflagged.chatSpanId).status.code).toBe(SpanStatusCode.UNSET);
    expect(off.span(unflagged.chatSpanId).attributes['tracejudge.evaluation.failed']).toBe(true);
  });

  let online: OnlineHarness | undefined;
  afterEach(async () => {
    await online?.close();
    online = undefined;
  });

  it('a held turn span whose judge score fails gets ERROR at delivery', async () => {
    online = await startOnlineHarness(() => judgeAnswer(1), { events: { failedSpanStatus: true } });
    const conversation = online.conversation('conv-status', { vertical: 'telecom' });
    let last = '';
    await conversation.turn('Thanks, bye', async (turn) => {
      last = turn.span.spanContext().spanId;
      turn.reply('Goodbye!');
      conversation.end();
    });
    await waitFor(() => online!.spans().some((span) => span.spanContext().spanId === last));
    const span = online.spans().find((candidate) => candidate.spanContext().spanId === last)!;
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'tracejudge: failed evaluations: faithfulness' });
  });

  let capture: CaptureServer | undefined;
  let service: CollectorService | undefined;
  afterEach(async () => {
    await service?.stop();
    await capture?.down();
    service = undefined;
    capture = undefined;
  });

  it('collector mode: the forwarded span carries ERROR (decoded OTLP spans take the status too)', async () => {
    capture = await CaptureServer.start();
    const config = resolveConfig({ events: { failedSpanStatus: true } }, { env: {} });
    const forwarder = new OtlpForwarder(testConfig(capture.tracesUrl));
    service = new CollectorService({ forwarder, receiver: { host: '127.0.0.1', port: 0 }, pipeline: pipelineOptionsFromConfig(config) });
    const url = `http://127.0.0.1:${(await service.start()).port}`;
    const spans = await recordSpans(turnSpecs({ conversationId: 'st-1', toolResult: { price: '$249.00' }, reply: 'It is $199.00.', at: 1_750_000_000 }));
    expect((await exportWith('proto', url, spans)).code).toBe(ExportResultCode.SUCCESS);
    await eventually(() => forwardedSpans(capture!).length === spans.length, 'forwarded');
    const chat = forwardedSpans(capture).find((span) => span.name.startsWith('chat'))!;
    expect(chat.status).toEqual({ code: SpanStatusCode.ERROR, message: 'tracejudge: failed evaluations: commitment.price' });
    expect(forwardedSpans(capture).find((span) => span.name.startsWith('invoke_agent'))!.status.code).toBe(SpanStatusCode.UNSET);
  });
});
