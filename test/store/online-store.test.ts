import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOnlineStage, EvaluationPipeline, pipelineOptionsFromConfig } from '../../processors/index.ts';
import { resolveConfig } from '../../src/config/index.ts';
import { listReviewItems, StoreError, TracejudgeStore } from '../../src/store/index.ts';
import { spanRecord } from '../model/builders.ts';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

describe('the online stage with a store section', () => {
  it('a corrupt store file fails the setup with the store error naming the file, before anything starts', async () => {
    const path = join(makeTempDir('tracejudge-online-store-'), 'tracejudge.db');
    writeFileSync(path, 'not a database: some text long enough to fill a header page of sqlite');
    const setup = createOnlineStage(resolveConfig({ sampling: { strata: [{ name: 'all', rate: 1 }] }, store: { path } }, { env: {} }));
    await expect(setup).rejects.toBeInstanceOf(StoreError);
    await expect(setup).rejects.toThrow(`store ${path} is not a tracejudge store or is corrupt`);
  });

  it('without a store section there is no store sink; with one, check results reach it', async () => {
    const bare = await createOnlineStage(resolveConfig({}, { env: {} }));
    expect(bare.storeSink).toBeUndefined();
    await bare.close();
    const path = join(makeTempDir('tracejudge-online-store-'), 'tracejudge.db');
    const parts = await createOnlineStage(resolveConfig({ store: { path } }, { env: {} }));
    expect(parts.checkSinks).toContain(parts.storeSink);
    parts.storeSink!.write([{ name: 'commitment.price', score: 0, label: 'fail', source: 'deterministic' }], { conversationId: 'c', traceId: 't', spanId: 's' });
    expect(parts.storeSink!.stats().buffered).toBe(1);
    await parts.close();
    expect(parts.storeSink!.stats()).toMatchObject({ buffered: 0, written: 1 });
  });

  it('without a judge section (no conversation buffer), a failed check is still queued with what was said, as its span shows it', async () => {
    const path = join(makeTempDir('tracejudge-online-store-'), 'tracejudge.db');
    // As `tracejudge collect` wires it: the pipeline's sinks are the online stage's check sinks.
    const config = resolveConfig({ store: { path } }, { env: {} });
    const parts = await createOnlineStage(config);
    const pipeline = new EvaluationPipeline({ ...pipelineOptionsFromConfig(config), sinks: parts.checkSinks });
    const chat = spanRecord({
      name: 'chat gpt-4.1-mini',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.conversation.id': 'conv-review',
        'app.vertical': 'hotel',
        'gen_ai.input.messages': JSON.stringify([
          { role: 'user', parts: [{ type: 'text', content: 'How much is the suite? Write to ana@example.com' }] },
          { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'lookup_price', arguments: { room: 'suite' } }] },
          { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: { room: 'suite', price: '$249.00' } }] },
        ]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'The suite is $199.00 per night.' }] }]),
      },
    });
    pipeline.noteStart(chat);
    const results = pipeline.onEnding(chat, { addEvent: () => {} });
    expect(results.find((result) => result.name === 'commitment.price')?.label).toBe('fail');
    await parts.close();

    const store = TracejudgeStore.open(path);
    try {
      const [item, ...more] = listReviewItems(store);
      expect(more).toEqual([]);
      expect(item).toMatchObject({ conversationId: 'conv-review', evaluation: 'commitment.price', label: 'fail', reason: 'check failed', cohort: { 'app.vertical': 'hotel' } });
      // Masked before it was stored, like every text the store keeps.
      expect(item!.userMessages).toEqual(['How much is the suite? Write to <EMAIL_1>']);
      expect(item!.transcript).toEqual([
        { role: 'user', text: 'How much is the suite? Write to <EMAIL_1>' },
        { role: 'tool', text: 'lookup_price({"room":"suite"}) → {"room":"suite","price":"$249.00"}' },
        { role: 'assistant', text: 'The suite is $199.00 per night.' },
      ]);
    } finally {
      store.close();
    }
  });
});
