import { describe, expect, it } from 'vitest';
import { planTable, type TableOperation } from './plan.js';
import type { ColumnValue } from './record.js';

const table = { name: 'items' };
let offset = 0;
const origin = () => ({ topic: 't', partition: 0, offset: String(offset++) });
const col = (value: string | number | null): ColumnValue => ({ value, type: typeof value === 'number' ? 'bigint' : 'text', optional: true });

function upsert(id: number, fields: Record<string, string | number | null>): TableOperation {
  const columns = new Map<string, ColumnValue>([['id', col(id)]]);
  for (const [k, v] of Object.entries(fields)) columns.set(k, col(v));
  return { kind: 'upsert', table, key: ['id'], columns, origin: origin() };
}
function del(id: number): TableOperation {
  return { kind: 'delete', table, key: ['id'], columns: new Map([['id', col(id)]]), origin: origin() };
}

describe('planTable (upsert)', () => {
  it('keeps the last write per key in one multi-row statement', () => {
    const plan = planTable(table, [upsert(1, { name: 'a' }), upsert(2, { name: 'b' }), upsert(1, { name: 'c' })], 'upsert');
    expect(plan.steps).toEqual([{ kind: 'write', mode: 'upsert', key: ['id'], columns: ['id', 'name'], rows: [[1, 'c'], [2, 'b']] }]);
  });

  it('turns write-then-delete into a delete', () => {
    const plan = planTable(table, [upsert(1, { name: 'a' }), del(1)], 'upsert');
    expect(plan.steps).toEqual([{ kind: 'delete', key: ['id'], rows: [[1]] }]);
  });

  it('turns delete-then-write into a delete followed by the write, so no old column survives', () => {
    const plan = planTable(table, [upsert(1, { name: 'a', note: 'old' }), del(1), upsert(1, { name: 'b' })], 'upsert');
    expect(plan.steps).toEqual([
      { kind: 'delete', key: ['id'], rows: [[1]] },
      { kind: 'write', mode: 'upsert', key: ['id'], columns: ['id', 'name'], rows: [[1, 'b']] },
    ]);
  });

  it('merges partial writes of one key as applying them in order would', () => {
    const plan = planTable(table, [upsert(1, { name: 'a', note: 'n' }), upsert(1, { name: 'b' })], 'upsert');
    expect(plan.steps).toEqual([{ kind: 'write', mode: 'upsert', key: ['id'], columns: ['id', 'name', 'note'], rows: [[1, 'b', 'n']] }]);
  });

  it('groups rows with different column sets into separate statements', () => {
    const plan = planTable(table, [upsert(1, { name: 'a' }), upsert(2, { note: 'x' }), upsert(3, { name: 'c' })], 'upsert');
    expect(plan.steps).toEqual([
      { kind: 'write', mode: 'upsert', key: ['id'], columns: ['id', 'name'], rows: [[1, 'a'], [3, 'c']] },
      { kind: 'write', mode: 'upsert', key: ['id'], columns: ['id', 'note'], rows: [[2, 'x']] },
    ]);
  });

  it('applies what came before a truncate before it', () => {
    const truncate: TableOperation = { kind: 'truncate', table, origin: origin() };
    const plan = planTable(table, [upsert(1, { name: 'a' }), truncate, upsert(2, { name: 'b' })], 'upsert');
    expect(plan.steps.map((s) => s.kind)).toEqual(['write', 'truncate', 'write']);
  });

  it('collects every column with its type for schema evolution', () => {
    const plan = planTable(table, [upsert(1, { name: 'a' }), upsert(2, { note: null }), upsert(3, { note: 'x' })], 'upsert');
    expect([...plan.columns.keys()]).toEqual(['id', 'name', 'note']);
    expect(plan.columns.get('note')?.type).toBe('text');
  });
});

describe('planTable (insert)', () => {
  it('keeps every record in order, grouping neighbours', () => {
    const plan = planTable(table, [upsert(1, { name: 'a' }), upsert(1, { name: 'b' }), del(1), upsert(2, { name: 'c' })], 'insert');
    expect(plan.steps).toEqual([
      { kind: 'write', mode: 'insert', key: ['id'], columns: ['id', 'name'], rows: [[1, 'a'], [1, 'b']] },
      { kind: 'delete', key: ['id'], rows: [[1]] },
      { kind: 'write', mode: 'insert', key: ['id'], columns: ['id', 'name'], rows: [[2, 'c']] },
    ]);
  });
});
