import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOnlineStage } from '../../processors/index.ts';
import { resolveConfig } from '../../src/config/index.ts';
import { StoreError } from '../../src/store/index.ts';
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
});
