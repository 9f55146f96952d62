import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../support/temp-dir.ts';

afterAll(removeTempDirs);

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');

/** A Node without node:sqlite, as 22.5–22.12 are without a flag: this Node with it turned off. */
async function withoutSqlite(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--no-experimental-sqlite', ...args], { cwd: ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('a Node without node:sqlite', () => {
  it('imports tracejudge and tracejudge/processors; a config with a store says in one line which Node it needs', async () => {
    const path = join(makeTempDir('tracejudge-no-sqlite-'), 'store.db');
    const script = `
      const { resolveConfig } = await import(${JSON.stringify(join(ROOT, 'src/index.ts'))});
      const { createOnlineStage } = await import(${JSON.stringify(join(ROOT, 'processors/index.ts'))});
      console.log('imported');
      const parts = await createOnlineStage(resolveConfig({}, { env: {} }));
      await parts.close();
      console.log('checks and sampling run without a store');
      try { await createOnlineStage(resolveConfig({ store: { path: ${JSON.stringify(path)} } }, { env: {} })); } catch (error) { console.log(error.message); }`;
    const result = await withoutSqlite(['--input-type=module', '-e', script]);
    expect(result.stderr).not.toMatch(/No such built-in module/);
    expect(result.stdout.trim().split('\n')).toEqual([
      'imported',
      'checks and sampling run without a store',
      expect.stringMatching(/needs node:sqlite, in Node >= 22\.13 \(this is v[\d.]+\): upgrade Node$/),
    ]);
  });

  it('the CLI prints that line, not a stack, and exits 2 (an environment the command cannot use)', async () => {
    const result = await withoutSqlite([join(ROOT, 'bin/tracejudge.js'), 'review', '--store', join(makeTempDir('tracejudge-no-sqlite-'), 'store.db')]);
    expect(result.stderr.trim()).toMatch(/^tracejudge: store .*: opening failed: tracejudge's embedded store needs node:sqlite, in Node >= 22\.13/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(2);
  });
});
