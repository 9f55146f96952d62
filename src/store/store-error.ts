/** Why the store could not be used; the message names the file and what to do. */
export type StoreErrorKind = 'corrupt' | 'locked' | 'schema' | 'io' | 'input';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly kind: StoreErrorKind;
  constructor(kind: StoreErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/** Maps a node:sqlite error to a StoreError (SQLite result codes: 5 BUSY, 6 LOCKED, 11 CORRUPT, 26 NOTADB). */
export function storeErrorOf(error: unknown, path: string, doing: string): StoreError {
  if (error instanceof StoreError) return error;
  const code = (error as { errcode?: number }).errcode;
  const message = (error as Error)?.message ?? String(error);
  if (code === 5 || code === 6 || /database is locked|busy/i.test(message)) {
    return new StoreError('locked', `store ${path} is locked by another writer (${doing}); nothing was written — retry, or raise store.busyTimeout`, { cause: error });
  }
  if (code === 11 || code === 26 || /not a database|malformed|corrupt/i.test(message)) {
    return new StoreError('corrupt', `store ${path} is not a tracejudge store or is corrupt (${message}); move it aside and a new one is created`, { cause: error });
  }
  return new StoreError('io', `store ${path}: ${doing} failed: ${message}`, { cause: error });
}
