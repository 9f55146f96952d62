import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { offlineJudging } from '../../src/offline/index.ts';
import { parseConfig } from '../../src/config/index.ts';

const ROOT = join(import.meta.dirname, '../..');

/** Every YAML config a user copies from the docs and examples (fenced ```yaml blocks, example *.yaml files). */
function documentedConfigs(): { where: string; text: string }[] {
  const found: { where: string; text: string }[] = [];
  for (const file of ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)]) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const [index, match] of [...text.matchAll(/^```yaml\n([\s\S]*?)^```/gm)].entries()) found.push({ where: `${file} yaml block ${index + 1}`, text: match[1]! });
  }
  for (const dir of ['examples/offline', 'examples/demo', 'examples/collector', 'examples/compose']) {
    let names: string[] = [];
    try {
      names = readdirSync(join(ROOT, dir));
    } catch {
      continue;
    }
    for (const name of names.filter((candidate) => /^tracejudge.*\.ya?ml$/.test(candidate))) found.push({ where: `${dir}/${name}`, text: readFileSync(join(ROOT, dir, name), 'utf8') });
  }
  return found;
}

/** Plain OpenAI: a key, no OPENAI_BASE_URL, nothing else of ours set. */
const PLAIN_OPENAI: Record<string, string> = { OPENAI_API_KEY: 'sk-test' };
/** The demo's config reads the variables examples/demo/run.ts sets; with a real key, these. */
const DEMO_WITH_OPENAI = { ...PLAIN_OPENAI, DEMO_JUDGE_MODEL: 'gpt-4.1-mini', DEMO_JUDGE_BASE_URL: 'https://api.openai.com/v1', DEMO_JUDGE_API_KEY: 'sk-test' };
/** The compose stack's collector reads its key from JUDGE_API_KEY (compose.yaml sets it). */
const COMPOSE_WITH_OPENAI = { ...PLAIN_OPENAI, JUDGE_API_KEY: 'sk-test' };

describe('documented configs', () => {
  const configs = documentedConfigs();

  it('are found (the docs have judge configs to check)', () => {
    expect(configs.filter((config) => /^judge:/m.test(config.text)).length).toBeGreaterThanOrEqual(3);
  });

  for (const config of documentedConfigs()) {
    // A block that is a fragment of a bigger file (an indented excerpt) is not a config on its own.
    if (!/^[a-z]+:/m.test(config.text)) continue;
    it(`${config.where} parses with OPENAI_BASE_URL unset; its judge (if any) is built for plain OpenAI`, () => {
      const env = config.where.startsWith('examples/demo/') ? DEMO_WITH_OPENAI : config.where.startsWith('examples/compose/') ? COMPOSE_WITH_OPENAI : PLAIN_OPENAI;
      const parsed = parseConfig(config.text, { env });
      if (parsed.judge) {
        expect(parsed.judge.baseURL === undefined || parsed.judge.baseURL.startsWith('http')).toBe(true);
        expect(() => offlineJudging(parsed.judge!, env)).not.toThrow();
      }
    });
  }
});
