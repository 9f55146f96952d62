import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/config/index.ts';
import { BUILTIN_KINDS } from '../../src/config/privacy.ts';
import { builtinDetectors, PiiMasker } from '../../src/privacy/index.ts';

const messageOf = (input: unknown): string => {
  try {
    resolveConfig(input as never, { env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('privacy and store config sections', () => {
  it('the config lists exactly the built-in kinds src/privacy has', () => {
    expect([...BUILTIN_KINDS].sort()).toEqual([...new Set(builtinDetectors.map((detector) => detector.kind))].sort());
  });

  it('a configured pattern and disabled kind shape the masker', () => {
    const config = resolveConfig({ privacy: { patterns: [{ name: 'MEMBER_ID', pattern: 'MBR-\\d{6}' }], disable: ['PHONE'] } }, { env: {} });
    const masker = new PiiMasker(config.privacy);
    expect(masker.maskConversation(['MBR-123456 at ana@example.com, +34 612 345 678'])).toEqual(['<MEMBER_ID_1> at <EMAIL_1>, +34 612 345 678']);
  });

  it('bad patterns, kinds and store retention are named by field', () => {
    const message = messageOf({
      privacy: { patterns: [{ name: 'member', pattern: 'x' }, { name: 'OK', pattern: '(' }, { name: 'EMPTY', pattern: 'a*' }], disable: ['EMAILS'] },
      store: { path: '', retention: { maxRows: 0, maxAge: 'forever' } },
    });
    expect(message).toContain('privacy.patterns[0].name');
    expect(message).toMatch(/privacy\.patterns\[1\]\.pattern: not a valid regular expression/);
    expect(message).toMatch(/privacy\.patterns\[2\]\.pattern: matches the empty string/);
    expect(message).toMatch(/privacy\.disable\[0\]: expected a built-in kind: EMAIL/);
    expect(message).toContain('store.path');
    expect(message).toContain('store.retention.maxRows');
    expect(message).toContain('store.retention.maxAge');
  });

  it('store is off unless configured; configured, it fills defaults; TRACEJUDGE_STORE_PATH sets the path', () => {
    expect(resolveConfig({}, { env: {} }).store).toBeUndefined();
    expect(resolveConfig({ store: {} }, { env: {} }).store).toEqual({ path: '.tracejudge/tracejudge.db', keepPassing: true, retention: { maxRows: 100_000, maxAge: 30 * 86_400_000 } });
    expect(resolveConfig({}, { env: { TRACEJUDGE_STORE_PATH: '/tmp/x.db' } }).store?.path).toBe('/tmp/x.db');
    expect(resolveConfig({}, { env: {} }).review.queue).toBe(true);
  });
});
