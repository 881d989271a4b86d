/**
 * Type ('Y'): Int32 type OID, String namespace, String type name. Sent before a non-built-in type is first used.
 */
import type { ByteReader } from './reader.js';

export interface TypeMessage {
  readonly tag: 'type';
  readonly typeOid: number;
  readonly schema: string;
  readonly name: string;
}

export function readType(r: ByteReader): TypeMessage {
  const typeOid = r.uint32();
  const schema = r.cstring();
  const name = r.cstring();
  return { tag: 'type', typeOid, schema: schema === '' ? 'pg_catalog' : schema, name };
}
