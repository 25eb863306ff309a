// The one bounded map of the code base: least recently used entries go first. Used wherever a key
// comes from a client or the upstream (compiled operations, parsed dates, logged codes, simulated
// pages), so that no input can grow memory without end.
import { LRUCache } from 'lru-cache';

/** Keys and values are never null or undefined (lru-cache's own constraint). */
type Present = string | number | boolean | object;

export type BoundedCache<K extends Present, V extends Present> = LRUCache<K, V>;

/** A map of at most `max` entries, evicting the least recently used. */
export function boundedCache<K extends Present, V extends Present>(max: number): BoundedCache<K, V> {
  return new LRUCache<K, V>({ max });
}
