import type { AttributeValue } from './span-record.ts';

/** Attribute key and value, as collected in the single scan over a span's attributes. */
export type Entry = readonly [key: string, value: AttributeValue];

/** The attributes of one list element, keyed by what follows `prefix.{i}.`. */
export type IndexedItem = ReadonlyMap<string, AttributeValue>;

/**
 * Flattened lists (OpenInference `llm.input_messages.{i}.message.role`, OpenLLMetry
 * `gen_ai.prompt.{i}.content`) grouped back into one map per index, in index order.
 * Keys whose index is not a number are not list elements and are left out.
 */
export function groupIndexed(entries: Iterable<Entry>, prefix: string): IndexedItem[] {
  const byIndex = new Map<number, Map<string, AttributeValue>>();
  for (const [key, value] of entries) {
    if (!key.startsWith(prefix)) continue;
    const dot = key.indexOf('.', prefix.length);
    if (dot < 0) continue;
    const indexText = key.slice(prefix.length, dot);
    if (!/^\d{1,6}$/.test(indexText)) continue;
    const index = Number(indexText);
    let item = byIndex.get(index);
    if (!item) byIndex.set(index, (item = new Map()));
    item.set(key.slice(dot + 1), value);
  }
  if (byIndex.size === 0) return [];
  return [...byIndex.keys()].sort((a, b) => a - b).map((index) => byIndex.get(index)!);
}
