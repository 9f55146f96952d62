import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = import.meta.dirname.replace(/\/test$/, '');
const ENTRIES: Readonly<Record<string, string>> = {
  tracejudge: 'src/index.ts',
  'tracejudge/instrumentation': 'instrumentation/index.ts',
  'tracejudge/processors': 'processors/index.ts',
};

/** Every `import { … } from 'tracejudge…'` a reader copies from the README and docs. */
function documentedImports(): { where: string; entry: string; names: string[] }[] {
  const found: { where: string; entry: string; names: string[] }[] = [];
  for (const file of ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)]) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(/import\s+(?:type\s+)?\{([^}]+)\}\s+from\s+'(tracejudge(?:\/[a-z]+)?)'/g)) {
      const names = match[1]!.split(',').map((name) => name.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!).filter(Boolean);
      found.push({ where: file, entry: match[2]!, names });
    }
  }
  return found;
}

describe('what the docs import exists', () => {
  it('every name imported from tracejudge, tracejudge/instrumentation and tracejudge/processors in README and docs is exported there', async () => {
    const imports = documentedImports();
    expect(imports.length).toBeGreaterThan(5);
    const missing: string[] = [];
    for (const { where, entry, names } of imports) {
      const file = ENTRIES[entry];
      if (!file) {
        missing.push(`${where}: no package entry ${entry}`);
        continue;
      }
      const module = (await import(join(ROOT, file))) as Record<string, unknown>;
      const source = readFileSync(join(ROOT, file), 'utf8');
      for (const name of names) {
        // Types leave no runtime export: they are found in the entry's `export type` lists.
        if (!(name in module) && !new RegExp(`\\b${name}\\b`).test(source)) missing.push(`${where}: ${name} from ${entry}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('PiiMasker and startMetricsExport (named in docs/review.md and docs/online-evaluation.md) are exported by tracejudge', async () => {
    const root = (await import(join(ROOT, 'src/index.ts'))) as Record<string, unknown>;
    expect(typeof root.PiiMasker).toBe('function');
    expect(typeof root.startMetricsExport).toBe('function');
    expect(new (root.PiiMasker as new () => { maskConversation(texts: string[]): string[] })().maskConversation(['write to ana@example.com'])).toEqual(['write to <EMAIL_1>']);
  });
});
