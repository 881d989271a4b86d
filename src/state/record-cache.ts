/**
 * The byte budget shared by the caching stores of the tasks of one instance (Kafka Streams'
 * `statestore.cache.max.bytes`, held per stream thread by its ThreadCache). Each caching store keeps its
 * own entries and reports its size changes here; a store whose write takes the total over the budget
 * evicts from its own entries until the total fits again or it has none left (as Kafka's ThreadCache
 * evicts from the cache being written).
 *
 * A budget of 0 turns caching off: stores are then built without the caching layer.
 *
 * @example
 * const cache = new RecordCache(10 * 1024 * 1024);
 * new Task({ id, topology, applicationId, cache });
 */
export class RecordCache {
  #sizeBytes = 0;
  #evictions = 0;

  constructor(readonly maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`cacheMaxBytes must be an integer of at least 0, got ${String(maxBytes)}`);
  }

  /** Caching is on: stores asking for it get the caching layer. */
  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /** Estimated bytes held by all caching stores now. */
  get sizeBytes(): number {
    return this.#sizeBytes;
  }

  /** Evictions (size-triggered flushes of one store's entries) so far. */
  get evictions(): number {
    return this.#evictions;
  }

  get overBudget(): boolean {
    return this.#sizeBytes > this.maxBytes;
  }

  /** A store's entries grew (positive) or shrank (negative) by `deltaBytes`. */
  resize(deltaBytes: number): void {
    this.#sizeBytes += deltaBytes;
  }

  /** A store evicted because the total was over budget. */
  countEviction(): void {
    this.#evictions++;
  }
}

/** Fixed cost counted per cache entry: the entry object, its slots in the store's two maps, its context fields. */
export const CACHE_ENTRY_OVERHEAD_BYTES = 100;

const MAX_DEPTH = 8;

/**
 * Estimated heap bytes of a value held by a caching store. Values stay JavaScript objects in Tributary's
 * stores (they are serialized only for the changelog), so the cache is sized by what it holds rather
 * than by serializing every update: 8 bytes per number, 1 per string character, a buffer's length,
 * 16 per object plus its property names and values, 8 per array slot plus its elements. Below 8 levels
 * of nesting a value counts 8 bytes.
 */
export function estimateBytes(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'number':
      return 8;
    case 'string':
      return value.length;
    case 'boolean':
      return 4;
    case 'bigint':
      return 16;
    case 'object':
      break;
    default:
      return 0;
  }
  if (value === null) return 0;
  if (depth >= MAX_DEPTH) return 8;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof Date) return 8;
  const next = depth + 1;
  let bytes = 16;
  if (Array.isArray(value)) {
    for (const item of value) bytes += 8 + estimateBytes(item, next);
    return bytes;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) bytes += 16 + estimateBytes(k, next) + estimateBytes(v, next);
    return bytes;
  }
  if (value instanceof Set) {
    for (const item of value) bytes += 8 + estimateBytes(item, next);
    return bytes;
  }
  for (const key in value) {
    if (Object.prototype.hasOwnProperty.call(value, key)) bytes += 8 + key.length + estimateBytes((value as { [k: string]: unknown })[key], next);
  }
  return bytes;
}
