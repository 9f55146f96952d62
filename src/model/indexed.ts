import type { AttributeValue } from './span-record.ts';

/** Attribute key and value, as collected in the single scan over a span's attributes. */
export type Entry = readonly [key: string, value: AttributeValue];

/** The attributes of one list element, keyed by what follows `prefix.{i}.`. */
export type IndexedItem = ReadonlyMap<string, AttributeValue>;

const DOT = 0x2e;
const ZERO = 0x30;
/** Indices past a million are not list positions any instrumentation writes. */
const MAX_INDEX_DIGITS = 6;

/**
 * Flattened lists (OpenInference `llm.input_messages.{i}.message.role`, OpenLLMetry
 * `gen_ai.prompt.{i}.content`) grouped back into one map per index, in index order.
 * Keys whose index is not a number are not list elements and are left out.
 * Hot path (every OpenInference LLM span): digits are read by char code, and
 * sorting happens only when keys arrived out of order.
 */
export function groupIndexed(entries: Iterable<Entry>, prefix: string): IndexedItem[] {
  let byIndex: Map<number, Map<string, AttributeValue>> | undefined;
  const start = prefix.length;
  let ordered = true;
  let last = -1;
  for (const [key, value] of entries) {
    if (!key.startsWith(prefix)) continue;
    let index = 0;
    let at = start;
    for (; at < key.length && at - start < MAX_INDEX_DIGITS; at++) {
      const digit = key.charCodeAt(at) - ZERO;
      if (digit < 0 || digit > 9) break;
      index = index * 10 + digit;
    }
    if (at === start || key.charCodeAt(at) !== DOT) continue;
    byIndex ??= new Map();
    let item = byIndex.get(index);
    if (!item) {
      byIndex.set(index, (item = new Map()));
      if (index < last) ordered = false;
      last = index;
    }
    item.set(key.slice(at + 1), value);
  }
  if (!byIndex) return [];
  if (ordered) return Array.from(byIndex.values());
  const items = byIndex;
  return Array.from(items.keys())
    .sort((a, b) => a - b)
    .map((index) => items.get(index)!);
}
