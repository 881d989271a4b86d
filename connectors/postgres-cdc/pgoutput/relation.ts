/**
 * Relation ('R'): Int32 relation OID, String namespace ("" means pg_catalog), String relation name,
 * Int8 replica identity ('d' default, 'n' nothing, 'f' full, 'i' index), Int16 number of columns, then per column:
 * Int8 flags (1 = part of the replica identity key), String name, Int32 type OID, Int32 type modifier.
 */
import type { ByteReader } from './reader.js';

export type ReplicaIdentity = 'default' | 'nothing' | 'full' | 'index';

export interface RelationColumn {
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
  /** Part of the replica identity (not necessarily the primary key). */
  readonly isKey: boolean;
}

export interface RelationMessage {
  readonly tag: 'relation';
  readonly relationOid: number;
  readonly schema: string;
  readonly table: string;
  readonly replicaIdentity: ReplicaIdentity;
  readonly columns: readonly RelationColumn[];
}

const IDENTITY: Record<string, ReplicaIdentity> = { d: 'default', n: 'nothing', f: 'full', i: 'index' };

export function readRelation(r: ByteReader): RelationMessage {
  const relationOid = r.uint32();
  const ns = r.cstring();
  const table = r.cstring();
  const identChar = r.char();
  const n = r.int16();
  const columns: RelationColumn[] = [];
  for (let i = 0; i < n; i++) {
    const flags = r.uint8();
    const name = r.cstring();
    const typeOid = r.uint32();
    const typeMod = r.int32();
    columns.push({ name, typeOid, typeMod, isKey: (flags & 1) === 1 });
  }
  return {
    tag: 'relation',
    relationOid,
    schema: ns === '' ? 'pg_catalog' : ns,
    table,
    replicaIdentity: IDENTITY[identChar] ?? 'default',
    columns,
  };
}

/** True when two relation messages describe the same columns (name, type, typmod) and identity. */
export function sameRelationShape(a: RelationMessage, b: RelationMessage): boolean {
  if (a.schema !== b.schema || a.table !== b.table || a.replicaIdentity !== b.replicaIdentity) return false;
  if (a.columns.length !== b.columns.length) return false;
  return a.columns.every((c, i) => {
    const d = b.columns[i]!;
    return c.name === d.name && c.typeOid === d.typeOid && c.typeMod === d.typeMod && c.isKey === d.isKey;
  });
}
