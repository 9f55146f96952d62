import type * as Sqlite from 'node:sqlite';

/** The Node release from which `node:sqlite` loads without a flag (22.13, 23.4). */
export const SQLITE_MINIMUM_NODE = '22.13';

/**
 * `node:sqlite`, loaded when a store is opened rather than when `tracejudge` is imported: on a
 * Node without it a static import fails the whole import with "No such built-in module", and an
 * application that never opens a store (checks and judge only) would not start at all.
 */
export function sqlite(): typeof Sqlite {
  const loaded = process.getBuiltinModule?.('node:sqlite') as typeof Sqlite | undefined;
  if (!loaded?.DatabaseSync) {
    throw new Error(`tracejudge's embedded store needs node:sqlite, in Node >= ${SQLITE_MINIMUM_NODE} (this is v${process.versions.node}): upgrade Node`);
  }
  return loaded;
}
