import type { Serde } from './serde.js';
import { Change } from '../processor/change.js';

const HAS_NEW = 1;
const HAS_OLD = 2;

/**
 * Serde for the `Change(new, old)` pairs that a KTable groupBy writes to its repartition topic.
 * Layout: `[1 byte flags: 1=new present, 2=old present][4-byte BE length of new][new bytes][old bytes]`.
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return Object.freeze({
    name: `change(${inner.name ?? 'custom'})`,
    serialize: (change: Change<V>, topic: string) => {
      const n = change.newValue === null ? null : inner.serialize(change.newValue, topic);
      const o = change.oldValue === null ? null : inner.serialize(change.oldValue, topic);
      const out = Buffer.allocUnsafe(5 + (n?.length ?? 0) + (o?.length ?? 0));
      out.writeUInt8((n ? HAS_NEW : 0) | (o ? HAS_OLD : 0), 0);
      out.writeUInt32BE(n?.length ?? 0, 1);
      if (n) n.copy(out, 5);
      if (o) o.copy(out, 5 + (n?.length ?? 0));
      return out;
    },
    deserialize: (bytes: Buffer, topic: string) => {
      if (bytes.length < 5) throw new RangeError(`a serialized Change needs at least 5 bytes, got ${bytes.length}`);
      const flags = bytes.readUInt8(0);
      const newLength = bytes.readUInt32BE(1);
      const newValue = flags & HAS_NEW ? inner.deserialize(bytes.subarray(5, 5 + newLength), topic) : null;
      const oldValue = flags & HAS_OLD ? inner.deserialize(bytes.subarray(5 + newLength), topic) : null;
      return new Change(newValue, oldValue);
    },
  });
}
