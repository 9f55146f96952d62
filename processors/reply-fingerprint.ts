/**
 * A short fingerprint of a reply text: length plus 32-bit FNV-1a. Used only to
 * recognise the same reply twice within one trace (an `invoke_agent` span and
 * its `chat` child), where a collision would take two different replies of the
 * same length in the same turn hashing alike.
 */
export function replyFingerprint(traceId: string, text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `${traceId}:${text.length}:${(hash >>> 0).toString(36)}`;
}
