import { describe, expect, it } from 'vitest';
import { decodePgOutput } from './decode.js';
import { sameRelationShape, type RelationMessage } from './relation.js';

/** Builds big-endian byte buffers the way the walsender writes them. */
class Bytes {
  private parts: Buffer[] = [];
  ch(c: string): this { this.parts.push(Buffer.from(c, 'latin1')); return this; }
  u8(v: number): this { const b = Buffer.alloc(1); b.writeUInt8(v); this.parts.push(b); return this; }
  i16(v: number): this { const b = Buffer.alloc(2); b.writeInt16BE(v); this.parts.push(b); return this; }
  i32(v: number): this { const b = Buffer.alloc(4); b.writeInt32BE(v); this.parts.push(b); return this; }
  u32(v: number): this { const b = Buffer.alloc(4); b.writeUInt32BE(v); this.parts.push(b); return this; }
  u64(v: bigint): this { const b = Buffer.alloc(8); b.writeBigUInt64BE(v); this.parts.push(b); return this; }
  str(s: string): this { this.parts.push(Buffer.from(s, 'utf8'), Buffer.from([0])); return this; }
  text(s: string): this { const b = Buffer.from(s, 'utf8'); return this.ch('t').i32(b.length).raw(b); }
  raw(b: Buffer): this { this.parts.push(b); return this; }
  get buf(): Buffer { return Buffer.concat(this.parts); }
}

const PG_EPOCH_US = 946_684_800_000_000n;

describe('pgoutput decoder', () => {
  it('decodes Begin with a 64-bit LSN and converts the commit time to the Unix epoch', () => {
    const buf = new Bytes().ch('B').u64(0x1_0000_0010n).u64(1_000_000n).u32(4_000_000_000).buf;
    expect(decodePgOutput(buf)).toEqual({ tag: 'begin', finalLsn: 0x1_0000_0010n, commitTimeUs: PG_EPOCH_US + 1_000_000n, xid: 4_000_000_000 });
  });

  it('decodes Commit', () => {
    const buf = new Bytes().ch('C').u8(0).u64(100n).u64(120n).u64(5n).buf;
    expect(decodePgOutput(buf)).toEqual({ tag: 'commit', flags: 0, commitLsn: 100n, endLsn: 120n, commitTimeUs: PG_EPOCH_US + 5n });
  });

  it('decodes Relation with key flags, type modifiers and the pg_catalog namespace for ""', () => {
    const buf = new Bytes().ch('R').u32(16384).str('public').str('customers').ch('f').i16(2)
      .u8(1).str('id').u32(23).i32(-1)
      .u8(0).str('balance').u32(1700).i32(((10 << 16) | 2) + 4).buf;
    const rel = decodePgOutput(buf) as RelationMessage;
    expect(rel).toEqual({
      tag: 'relation', relationOid: 16384, schema: 'public', table: 'customers', replicaIdentity: 'full',
      columns: [
        { name: 'id', typeOid: 23, typeMod: -1, isKey: true },
        { name: 'balance', typeOid: 1700, typeMod: 655366, isKey: false },
      ],
    });
    const other = decodePgOutput(new Bytes().ch('R').u32(16384).str('').str('t').ch('d').i16(0).buf) as RelationMessage;
    expect(other.schema).toBe('pg_catalog');
    expect(sameRelationShape(rel, rel)).toBe(true);
    expect(sameRelationShape(rel, { ...rel, replicaIdentity: 'default' })).toBe(false);
    expect(sameRelationShape(rel, { ...rel, columns: rel.columns.slice(0, 1) })).toBe(false);
  });

  it('decodes Insert tuples keeping raw text, nulls, unchanged TOAST and binary values', () => {
    const buf = new Bytes().ch('I').u32(7).ch('N').i16(4).text('1234.50').ch('n').ch('u').ch('b').i32(2).raw(Buffer.from([1, 2])).buf;
    expect(decodePgOutput(buf)).toEqual({
      tag: 'insert', relationOid: 7,
      newTuple: [{ kind: 'text', text: '1234.50' }, { kind: 'null' }, { kind: 'unchanged-toast' }, { kind: 'binary', bytes: Buffer.from([1, 2]) }],
    });
  });

  it('decodes multi-byte UTF-8 text by byte length', () => {
    const buf = new Bytes().ch('I').u32(7).ch('N').i16(1).text('żółw 🐢').buf;
    expect(decodePgOutput(buf)).toMatchObject({ newTuple: [{ kind: 'text', text: 'żółw 🐢' }] });
  });

  it('decodes Update without old data, with K and with O', () => {
    const plain = new Bytes().ch('U').u32(7).ch('N').i16(1).text('a').buf;
    expect(decodePgOutput(plain)).toEqual({ tag: 'update', relationOid: 7, oldKey: null, oldTuple: null, newTuple: [{ kind: 'text', text: 'a' }] });
    const withKey = new Bytes().ch('U').u32(7).ch('K').i16(1).text('1').ch('N').i16(1).text('2').buf;
    expect(decodePgOutput(withKey)).toMatchObject({ oldKey: [{ kind: 'text', text: '1' }], oldTuple: null });
    const full = new Bytes().ch('U').u32(7).ch('O').i16(1).text('1').ch('N').i16(1).text('2').buf;
    expect(decodePgOutput(full)).toMatchObject({ oldKey: null, oldTuple: [{ kind: 'text', text: '1' }] });
  });

  it('decodes Delete with K and with O', () => {
    expect(decodePgOutput(new Bytes().ch('D').u32(7).ch('K').i16(2).text('1').ch('n').buf)).toEqual({
      tag: 'delete', relationOid: 7, oldKey: [{ kind: 'text', text: '1' }, { kind: 'null' }], oldTuple: null,
    });
    expect(decodePgOutput(new Bytes().ch('D').u32(7).ch('O').i16(1).text('x').buf)).toMatchObject({ oldKey: null, oldTuple: [{ kind: 'text', text: 'x' }] });
  });

  it('decodes Truncate options and relations', () => {
    const buf = new Bytes().ch('T').i32(2).u8(3).u32(10).u32(11).buf;
    expect(decodePgOutput(buf)).toEqual({ tag: 'truncate', cascade: true, restartIdentity: true, relationOids: [10, 11] });
  });

  it('decodes Type, Origin and Message', () => {
    expect(decodePgOutput(new Bytes().ch('Y').u32(90000).str('public').str('mood').buf)).toEqual({ tag: 'type', typeOid: 90000, schema: 'public', name: 'mood' });
    expect(decodePgOutput(new Bytes().ch('O').u64(77n).str('node_a').buf)).toEqual({ tag: 'origin', originLsn: 77n, name: 'node_a' });
    expect(decodePgOutput(new Bytes().ch('M').u8(1).u64(9n).str('pfx').i32(3).raw(Buffer.from('abc')).buf)).toEqual({
      tag: 'message', transactional: true, lsn: 9n, prefix: 'pfx', content: Buffer.from('abc'),
    });
  });

  it('rejects truncated messages and unknown tags with a protocol error', () => {
    expect(() => decodePgOutput(new Bytes().ch('B').u64(1n).buf)).toThrow(/truncated/);
    expect(() => decodePgOutput(new Bytes().ch('S').u32(1).buf)).toThrow(/unsupported pgoutput message 'S'/);
    expect(() => decodePgOutput(new Bytes().ch('I').u32(7).ch('N').i16(1).ch('x').buf)).toThrow(/unknown tuple column kind/);
  });
});
