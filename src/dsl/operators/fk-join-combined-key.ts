/**
 * Keys of a foreign-key join's subscription store (on the right side): the foreign key and the left row's
 * primary key in one byte string, `[int32 BE length of foreign key][foreign key][primary key]`, as Kafka
 * Streams lays them out. All subscribers of one foreign key share the prefix `[length][foreign key]`, so a
 * right-table change finds them with one range scan.
 */

/**
 * The store key of one subscription.
 *
 * @example
 * combinedKey(Buffer.from('c1'), Buffer.from('o1')).toString('hex'); // '000000026331' + '6f31'
 */
export function combinedKey(foreignKey: Buffer, primaryKey: Buffer): Buffer {
  const out = Buffer.alloc(4 + foreignKey.length + primaryKey.length);
  out.writeInt32BE(foreignKey.length, 0);
  foreignKey.copy(out, 4);
  primaryKey.copy(out, 4 + foreignKey.length);
  return out;
}

/** The prefix shared by the store keys of every subscriber of `foreignKey`. */
export function combinedKeyPrefix(foreignKey: Buffer): Buffer {
  return combinedKey(foreignKey, Buffer.alloc(0));
}

/** Splits a store key back into its foreign and primary key bytes. */
export function splitCombinedKey(key: Buffer): { foreignKey: Buffer; primaryKey: Buffer } {
  if (key.length < 4) throw new RangeError(`a subscription store key needs at least 4 bytes, got ${key.length}`);
  const length = key.readInt32BE(0);
  if (length < 0 || 4 + length > key.length) {
    throw new RangeError(`subscription store key declares a ${length}-byte foreign key in ${key.length} bytes`);
  }
  return { foreignKey: key.subarray(4, 4 + length), primaryKey: key.subarray(4 + length) };
}
