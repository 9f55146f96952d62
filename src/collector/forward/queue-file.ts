import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The persistent queue's file name in the state directory. */
export const QUEUE_FILE = 'forward-queue.db';

export class StateDirError extends Error {
  override readonly name = 'StateDirError';
}

/**
 * Where `tracejudge collect` keeps its forward queue: `forward.queue.persistPath` when given, else
 * `STATE_DIR/forward-queue.db` — on unless `forward.queue.persist` is false (memory only: what is
 * queued when it stops and the upstream does not take in time is lost). The directory is created
 * and checked for writing here, before anything is accepted: a state directory that cannot be
 * written is an error at start, never a silent fall back to memory.
 * @throws StateDirError naming the directory and why.
 */
export function queueFileOf(queue: { readonly persist: boolean; readonly stateDir: string; readonly persistPath?: string | undefined }, stateDirFlag?: string): string | undefined {
  if (queue.persistPath !== undefined) return queue.persistPath;
  if (!queue.persist && stateDirFlag === undefined) return undefined;
  const dir = resolve(stateDirFlag ?? queue.stateDir);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StateDirError(
      `state directory ${dir} is not writable (${code}): the forward queue keeps accepted spans there across restarts; ` +
        'give a writable --state-dir (forward.queue.stateDir), or --memory-queue (forward.queue.persist: false) to keep them in memory only',
    );
  }
  return join(dir, QUEUE_FILE);
}
