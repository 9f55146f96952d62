import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, resolveConfig } from '../../src/config/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tracejudge-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

async function asyncConfigErrorOf(run: () => Promise<unknown>): Promise<ConfigError> {
  const error = await run().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig', () => {
  it('reads a YAML file, turning durations into milliseconds and filling defaults', async () => {
    const path = await file(
      'ok.yaml',
      ['conversations: { idleTimeout: 30s, maxOpen: 1000 }', 'checks:', '  enabled: [commitment.price, commitment.time]', ''].join('\n'),
    );
    const config = await loadConfig(path, { env: {} });
    expect(config.conversations.idleTimeout).toBe(30_000);
    expect(config.conversations.maxOpen).toBe(1000);
    expect(config.conversations.maxSourcesPerConversation).toBe(100);
    expect(config.checks.enabled).toEqual(['commitment.price', 'commitment.time']);
    expect(config.checks.maxScannedChars).toBe(65_536);
  });

  it('reads checks.sourceKeys: key words added to the built-in vocabulary', async () => {
    const path = await file('keys.yaml', ['checks:', '  sourceKeys:', '    money: [copago, acompte]', '    count: [licences]', ''].join('\n'));
    const config = await loadConfig(path, { env: {} });
    expect(config.checks.sourceKeys).toEqual({ money: ['copago', 'acompte'], count: ['licences'] });
    expect(config.checks.maxLineItems).toBe(4);
    expect((await loadConfig(path, { env: { TRACEJUDGE_CHECKS_MAX_LINE_ITEMS: '6' } })).checks.maxLineItems).toBe(6);
  });

  it('reads a JSON file', async () => {
    const path = await file('ok.json', JSON.stringify({ conversations: { idleTimeout: 250, maxSourceChars: 4096 } }));
    const config = await loadConfig(path, { env: {} });
    expect(config.conversations.idleTimeout).toBe(250);
    expect(config.conversations.maxSourceChars).toBe(4096);
    expect(config.checks.enabled).toBeUndefined();
  });

  it('treats an empty file as all defaults', async () => {
    const config = await loadConfig(await file('empty.yaml', ''), { env: {} });
    expect(config.conversations.idleTimeout).toBe(5 * 60_000);
    expect(config.conversations.maxOpen).toBe(50_000);
  });

  it('names the file when it cannot be read', async () => {
    const missing = join(dir, 'nope.yaml');
    const error = await asyncConfigErrorOf(() => loadConfig(missing, { env: {} }));
    expect(error.message).toContain(missing);
    expect(error.message).toContain('cannot read');
  });

  it('reports a JSON syntax error as a ConfigError', async () => {
    const path = await file('broken.json', '{"conversations": {"maxOpen": 3,}}');
    const error = await asyncConfigErrorOf(() => loadConfig(path, { env: {} }));
    expect(error.message).toContain('not valid JSON');
    expect(error.source).toBe(path);
  });

  it('reports a YAML syntax error with its line', async () => {
    const path = await file('broken.yaml', 'conversations:\n  maxOpen: [1, 2\nchecks: {}\n');
    const error = await asyncConfigErrorOf(() => loadConfig(path, { env: {} }));
    expect(error.message).toMatch(/not valid YAML \(line \d+, column \d+\)/);
  });
});

describe('environment variables', () => {
  it('substitutes ${NAME} and ${NAME:-default} in values, typed by the field', () => {
    const config = parseConfig('conversations:\n  maxOpen: ${MAX_OPEN}\n  idleTimeout: ${IDLE:-90s}\n', {
      env: { MAX_OPEN: '1234' },
    });
    expect(config.conversations.maxOpen).toBe(1234);
    expect(config.conversations.idleTimeout).toBe(90_000);
  });

  it('uses the default when the variable is set but empty, and keeps $$ as a literal $', () => {
    const config = parseConfig('checks: { enabled: ["${FIRST:-commitment.price}", "cost.$$usd"] }', { env: { FIRST: '' } });
    expect(config.checks.enabled).toEqual(['commitment.price', 'cost.$usd']);
  });

  it('names the field whose variable is not set', () => {
    const error = configErrorOf(() => parseConfig('conversations:\n  maxOpen: ${MAX_OPEN}\n', { env: {} }));
    expect(error.issues).toEqual([{ path: 'conversations.maxOpen', message: expect.stringContaining('MAX_OPEN is not set') }]);
  });

  it('rejects a malformed reference', () => {
    const error = configErrorOf(() => parseConfig('checks: { enabled: ["${1BAD}"] }', { env: {} }));
    expect(error.message).toContain('checks.enabled[0]: invalid variable reference "${1BAD}"');
  });

  it('lets TRACEJUDGE_* variables override the file', () => {
    const config = parseConfig('conversations: { maxOpen: 10, idleTimeout: 1m }', {
      env: { TRACEJUDGE_CONVERSATIONS_MAX_OPEN: '20', TRACEJUDGE_CHECKS_ENABLED: 'commitment.price, commitment.refund' },
    });
    expect(config.conversations.maxOpen).toBe(20);
    expect(config.conversations.idleTimeout).toBe(60_000);
    expect(config.checks.enabled).toEqual(['commitment.price', 'commitment.refund']);
  });

  it('reads metrics.cohortAttributes from a comma-separated variable', () => {
    const config = parseConfig('', { env: { TRACEJUDGE_METRICS_COHORT_ATTRIBUTES: 'app.vertical, app.language' } });
    expect(config.metrics.cohortAttributes).toEqual(['app.vertical', 'app.language']);
    expect(config.metrics.maxValuesPerCohortAttribute).toBe(20);
    expect(parseConfig('', { env: {} }).metrics.cohortAttributes).toEqual([]);
  });

  it('names the override variable value when it is invalid', () => {
    const error = configErrorOf(() => parseConfig('', { env: { TRACEJUDGE_CONVERSATIONS_IDLE_TIMEOUT: 'soon' } }));
    expect(error.message).toContain('conversations.idleTimeout: expected a duration');
    expect(error.message).toContain('got "soon"');
  });
});

describe('validation', () => {
  it.each([
    ['conversations: { maxOpen: lots }', 'conversations.maxOpen: expected a positive integer, got "lots"'],
    ['conversations: { maxOpen: 0 }', 'conversations.maxOpen: expected a positive integer, got 0'],
    ['conversations: { maxOpen: 2.5 }', 'conversations.maxOpen: expected a positive integer, got 2.5'],
    ['conversations: { idleTimeout: 5 minutes }', 'conversations.idleTimeout: expected a duration like "5m", "30s", "250ms" or a number of milliseconds, got "5 minutes"'],
    ['conversations: { idleTimeout: -5 }', 'conversations.idleTimeout: expected a duration'],
    ['conversations: { maxSourcesPerConversation: true }', 'conversations.maxSourcesPerConversation: expected a positive integer, got true'],
    ['conversations: { maxSourceChars: "" }', 'conversations.maxSourceChars: expected a positive integer, got ""'],
    ['checks: { maxScannedChars: -1 }', 'checks.maxScannedChars: expected a positive integer, got -1'],
    ['checks: { enabled: [commitment.price, 7] }', 'checks.enabled[1]: expected a non-empty string, got 7'],
    ['checks: { enabled: 7 }', 'checks.enabled: expected a list of check names'],
    ['checks: { maxLineItems: 0 }', 'checks.maxLineItems: expected a positive integer, got 0'],
    ['checks: { maxLineItems: 20 }', 'checks.maxLineItems: expected at most 12'],
    ['checks: { sourceKeys: { money: copago } }', 'checks.sourceKeys.money: expected a list of key words'],
    ['checks: { sourceKeys: { money: [copago, ""] } }', 'checks.sourceKeys.money[1]: expected a non-empty string'],
    ['checks: { sourceKeys: { currency: [eur] } }', 'checks.sourceKeys'],
    ['checks: { enabled: [commitment.price, ""] }', 'checks.enabled[1]: expected a non-empty string, got ""'],
    ['conversations: 5', 'conversations: '],
    ['metrics: { cohortAttributes: [app.vertical, "app vertical"] }', 'metrics.cohortAttributes[1]: expected an attribute name like app.vertical'],
    ['metrics: { cohortAttributes: [a, b, c, d, e, f, g, h, i] }', 'metrics.cohortAttributes: at most 8 cohort attributes'],
    ['metrics: { maxValuesPerCohortAttribute: 0 }', 'metrics.maxValuesPerCohortAttribute: '],
  ])('%s → %s', (yaml, expected) => {
    const error = configErrorOf(() => parseConfig(yaml, { env: {} }));
    expect(error.message).toContain(expected);
  });

  it('reports unknown keys with their path, at any level', () => {
    const error = configErrorOf(() => parseConfig('conversations: { maxOpen: 5, maxOpn: 6 }\njugde: {}\n', { env: {} }));
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'conversations.maxOpn', message: 'unknown key' },
        { path: 'jugde', message: 'unknown key' },
      ]),
    );
  });

  it('reports every problem at once, each with its path', () => {
    const error = configErrorOf(() => parseConfig('conversations: { maxOpen: x, idleTimeout: y }', { env: {} }));
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['conversations.idleTimeout', 'conversations.maxOpen']);
    expect(error.message).toContain('2 problems');
  });

  it('rejects a top level that is not a mapping', () => {
    const error = configErrorOf(() => parseConfig('- a\n- b\n', { env: {} }));
    expect(error.message).toContain('expected a mapping of sections at the top level');
  });
});

describe('resolveConfig', () => {
  it('completes a partial config with defaults', () => {
    const config = resolveConfig({ conversations: { idleTimeout: '250ms' } }, { env: {} });
    expect(config.conversations.idleTimeout).toBe(250);
    expect(config.conversations.maxOpen).toBe(50_000);
    expect(config.checks.maxScannedChars).toBe(65_536);
  });

  it('lets environment variables fill only what the caller left out', () => {
    const partial = { conversations: { maxOpen: 7 } };
    const config = resolveConfig(partial, {
      env: { TRACEJUDGE_CONVERSATIONS_MAX_OPEN: '99', TRACEJUDGE_CONVERSATIONS_IDLE_TIMEOUT: '2s' },
    });
    expect(config.conversations.maxOpen).toBe(7);
    expect(config.conversations.idleTimeout).toBe(2000);
    expect(partial).toEqual({ conversations: { maxOpen: 7 } });
  });

  it('throws a ConfigError for bad values given in code', () => {
    const error = configErrorOf(() => resolveConfig({ conversations: { maxOpen: -3 } }, { env: {} }));
    expect(error.message).toContain('conversations.maxOpen: expected a positive integer, got -3');
  });
});
