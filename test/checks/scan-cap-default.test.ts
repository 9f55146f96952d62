import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_SCANNED_CHARS } from '../../src/checks/index.ts';
import { resolveConfig } from '../../src/config/index.ts';

describe('the reply scan cap has one default', () => {
  it('checks.maxScannedChars defaults to the checks\' own DEFAULT_MAX_SCANNED_CHARS (src/config imports nothing of ours, so this test keeps them equal)', () => {
    expect(resolveConfig({}, { env: {} }).checks.maxScannedChars).toBe(DEFAULT_MAX_SCANNED_CHARS);
  });
});
