import type { InsertMode } from './config.js';
import { widenColumnType, type BindValue } from './decode-value.js';
import type { RecordOrigin } from './errors.js';
import type { TableRef } from './identifiers.js';
import type { ColumnValue, Columns, SinkOperation } from './record.js';

type RowOperation = Extract<SinkOperation, { kind: 'upsert' | 'delete' }>;
export type TableOperation = RowOperation | Extract<SinkOperation, { kind: 'truncate' }>;

/** One statement's worth of work on one table. Rows of a step share the same columns. */
export type Step =
  | { readonly kind: 'write'; readonly mode: InsertMode; readonly key: readonly string[]; readonly columns: readonly string[]; readonly rows: readonly (readonly BindValue[])[] }
  | { readonly kind: 'delete'; readonly key: readonly string[]; readonly rows: readonly (readonly BindValue[])[] }
  | { readonly kind: 'truncate' };

export interface TablePlan {
  readonly table: TableRef;
  readonly steps: readonly Step[];
  /** Every column a write step uses, with the type to create it with; drives schema evolution. */
  readonly columns: ReadonlyMap<string, ColumnValue>;
  readonly key: readonly string[];
  readonly origins: readonly RecordOrigin[];
}

function valueId(value: BindValue): string {
  if (Buffer.isBuffer(value)) return `b:${value.toString('hex')}`;
  if (Array.isArray(value)) return `a:[${value.map(valueId).join(',')}]`;
  return `${typeof value}:${String(value)}`;
}

function keyId(op: RowOperation): string {
  return op.key.map((k) => valueId(op.columns.get(k)?.value ?? null)).join('\u0000');
}

function rowOf(columns: Columns, names: readonly string[]): BindValue[] {
  return names.map((n) => columns.get(n)?.value ?? null);
}

/** Appends rows to the last step when it is the same kind over the same columns, else opens a new step. */
function push(steps: Step[], step: Step): void {
  const last = steps[steps.length - 1];
  if (last !== undefined && last.kind === step.kind && last.kind !== 'truncate' && step.kind !== 'truncate') {
    const sameColumns = last.kind === 'write' && step.kind === 'write' ? last.columns.join('\u0000') === step.columns.join('\u0000') : true;
    if (sameColumns) {
      (last.rows as (readonly BindValue[])[]).push(...step.rows);
      return;
    }
  }
  steps.push(step.kind === 'truncate' ? step : { ...step, rows: [...step.rows] });
}

interface KeyState {
  deleteFirst: boolean;
  columns: Map<string, ColumnValue> | undefined;
  readonly key: readonly string[];
  readonly keyValues: readonly BindValue[];
}

/**
 * Collapses a run of row operations per key, in order: the last write wins, a write after a write merges
 * its columns over the earlier ones (as applying both would), and a delete followed by a write becomes a
 * delete and then that write, so no column of the deleted row survives.
 */
function collapse(ops: readonly RowOperation[], mode: InsertMode, steps: Step[]): void {
  const states = new Map<string, KeyState>();
  for (const op of ops) {
    const id = keyId(op);
    let state = states.get(id);
    if (state === undefined) {
      state = { deleteFirst: false, columns: undefined, key: op.key, keyValues: rowOf(op.columns, op.key) };
      states.set(id, state);
    }
    if (op.kind === 'delete') {
      state.deleteFirst = true;
      state.columns = undefined;
    } else if (state.columns === undefined) {
      state.columns = new Map(op.columns);
    } else {
      for (const [name, column] of op.columns) state.columns.set(name, column);
    }
  }
  const deletes: KeyState[] = [];
  const writes = new Map<string, { key: readonly string[]; columns: string[]; rows: BindValue[][] }>();
  for (const state of states.values()) {
    if (state.deleteFirst) deletes.push(state);
    if (state.columns === undefined) continue;
    const columns = orderedColumns(state.key, state.columns);
    const signature = columns.join('\u0000');
    let group = writes.get(signature);
    if (group === undefined) {
      group = { key: state.key, columns, rows: [] };
      writes.set(signature, group);
    }
    group.rows.push(rowOf(state.columns, columns));
  }
  if (deletes.length > 0) {
    push(steps, { kind: 'delete', key: deletes[0]!.key, rows: deletes.map((s) => s.keyValues) });
  }
  for (const group of writes.values()) push(steps, { kind: 'write', mode, key: group.key, columns: group.columns, rows: group.rows });
}

function orderedColumns(key: readonly string[], columns: ReadonlyMap<string, ColumnValue>): string[] {
  return [...key, ...[...columns.keys()].filter((c) => !key.includes(c))];
}

/**
 * Turns the operations of one table, in record order, into statements. Upsert and update modes collapse per
 * key; insert mode keeps every record and only groups neighbours of the same kind, as Debezium's sink does.
 * A truncate splits the batch: what came before it is applied before it.
 */
export function planTable(table: TableRef, ops: readonly TableOperation[], mode: InsertMode): TablePlan {
  const steps: Step[] = [];
  const columns = new Map<string, ColumnValue>();
  let key: readonly string[] = [];
  let run: RowOperation[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    if (mode === 'insert') {
      for (const op of run) {
        if (op.kind === 'delete') push(steps, { kind: 'delete', key: op.key, rows: [rowOf(op.columns, op.key)] });
        else {
          const names = orderedColumns(op.key, op.columns);
          push(steps, { kind: 'write', mode, key: op.key, columns: names, rows: [rowOf(op.columns, names)] });
        }
      }
    } else {
      collapse(run, mode, steps);
    }
    run = [];
  };
  for (const op of ops) {
    if (op.kind === 'truncate') {
      flush();
      push(steps, { kind: 'truncate' });
      continue;
    }
    if (op.key.length > 0) key = op.key;
    if (op.kind === 'upsert') {
      for (const [name, column] of op.columns) {
        const known = columns.get(name);
        if (known === undefined) columns.set(name, column);
        else if (known.type !== column.type) columns.set(name, { ...known, type: widenColumnType(known.type, column.type) });
      }
    } else {
      for (const [name, column] of op.columns) if (!columns.has(name)) columns.set(name, column);
    }
    run.push(op);
  }
  flush();
  return { table, steps, columns, key, origins: ops.map((o) => o.origin) };
}
