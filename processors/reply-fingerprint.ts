/**
 * A short fingerprint of a reply: its trace, its length and its 32-bit FNV-1a hash. Used only
 * to recognise the same reply twice within one trace (an `invoke_agent` span and its `chat`
 * child), where a collision would take two different replies of the same length in the same
 * turn hashing alike. Numbers, not a string joining them: comparing two numbers first rejects
 * almost every other reply without building or comparing strings.
 */
export interface ReplyFingerprint {
  readonly traceId: string;
  readonly length: number;
  readonly hash: number;
}

export function replyFingerprint(traceId: string, text: string): ReplyFingerprint {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return { traceId, length: text.length, hash: hash >>> 0 };
}

export function sameReply(a: ReplyFingerprint, b: ReplyFingerprint): boolean {
  return a.hash === b.hash && a.length === b.length && a.traceId === b.traceId;
}
