import type { ClientBase, Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { TableCatalog, type TableInfo } from './catalog.js';
import {
  chunkRows, compileAddColumns, compileCreateTable, compileDelete, compileInsert, compileTruncate, compileUpdate,
  type ColumnDefinition, type CompiledQuery,
} from './compile.js';
import type { SinkConfig } from './config.js';
import { RetriesExhaustedError } from '../../src/errors.js';
import { retry } from '../../src/retry.js';
import { BadRecordError, SinkError, SinkWriteError, TableError, UnsafeIdentifierError } from './errors.js';
import { quoteTable, tableKey, tableName, type TableRef } from './identifiers.js';
import { planTable, type Step, type TableOperation } from './plan.js';

/** A record the writer could not apply, with the reason; the sink sends it to the dead-letter topic or fails. */
export interface Rejected {
  readonly index: number;
  readonly error: BadRecordError;
}

export interface WriteResult {
  /** Rows the statements touched (after collapsing), for throughput logs. */
  readonly rows: number;
  readonly rejected: readonly Rejected[];
}

interface PgError {
  code?: string;
  message: string;
}

// SQLSTATE classes caused by a record's data: data exceptions, integrity violations, wrong types or columns.
function isDataError(e: PgError): boolean {
  const code = e.code ?? '';
  return code.startsWith('22') || code.startsWith('23') || code === '42804' || code === '42703' || code === '54000';
}

/**
 * Failures of preparing a table that the records caused: a name or column PostgreSQL refuses (class 42, e.g.
 * 42622 name too long), a limit (class 54, e.g. 54011 too many columns), a schema that does not exist (3F000, with
 * `${source.schema}` in table.name.format), bad data (22, 23), a missing table
 * or one without a key to upsert on. They make the records bad, not the sink.
 */
function isRecordCaused(e: unknown): boolean {
  if (e instanceof TableError || e instanceof UnsafeIdentifierError) return true;
  if (e instanceof SinkError || isTransient(e)) return false;
  const code = (e as PgError).code ?? '';
  return isDataError(e as PgError) || code.startsWith('42') || code.startsWith('54') || code.startsWith('3F');
}

/** The table for a message; never throws, even for a name quoteTable refuses. */
function describeTable(table: TableRef): string {
  return JSON.stringify(tableName(table));
}

/** Socket errors of a server that is (for now) unreachable: Node puts these in `code`, where SQLSTATEs go too. */
const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** Errors worth retrying: lost connections, serialization failures, deadlocks, a server shutting down. */
export function isTransient(e: unknown): boolean {
  const code = (e as PgError).code;
  // a refused connect (a restarting server) carries code ECONNREFUSED: it must not be read as a SQLSTATE
  if (code !== undefined && SOCKET_CODES.has(code)) return true;
  if (code === undefined) {
    const message = (e as Error).message ?? '';
    return /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|Connection terminated|connection .*closed|timeout/i.test(message);
  }
  return code.startsWith('08') || code === '40001' || code === '40P01' || code.startsWith('53') ||
    code === '57P01' || code === '57P02' || code === '57P03' || code === '55P03';
}

/** Executes a compiled query; kept separate so every statement the sink runs goes through one place. */
async function run(client: ClientBase, query: CompiledQuery): Promise<number> {
  const result = await client.query(query.text, query.values);
  return result.rowCount ?? 0;
}

/** The compiled statements of one step; large steps are split to stay under the parameter limit. */
export function compileStep(table: TableRef, step: Step, info: TableInfo | undefined): CompiledQuery[] {
  switch (step.kind) {
    case 'truncate':
      return [compileTruncate(table)];
    case 'delete':
      return chunkRows(step.rows, step.key.length).map((rows) => compileDelete(table, step.key, rows));
    case 'write': {
      const chunks = chunkRows(step.rows, step.columns.length);
      if (step.mode === 'insert') return chunks.map((rows) => compileInsert(table, step.columns, rows));
      if (step.mode === 'upsert') return chunks.map((rows) => compileInsert(table, step.columns, rows, step.key));
      const types = step.columns.map((c) => info?.columns.get(c)?.type ?? 'text');
      // An update that sets nothing but the key has nothing to change.
      if (step.columns.every((c) => step.key.includes(c))) return [];
      return chunks.map((rows) => compileUpdate(table, step.key, step.columns, rows, types));
    }
  }
}

/**
 * Applies batches of operations to PostgreSQL: all tables of a batch in one transaction, with schema
 * evolution inside it, retries for transient failures, and per-record isolation to single out bad records
 * when a statement fails on data.
 */
export class PostgresWriter {
  readonly #pool: Pool;
  readonly #config: SinkConfig;
  readonly #logger: Logger;
  readonly #catalog = new TableCatalog();
  /** The client of the batch being written, for abort(). */
  #active: PoolClient | undefined;
  #aborted = false;

  constructor(pool: Pool, config: SinkConfig, logger: Logger) {
    this.#pool = pool;
    this.#config = config;
    this.#logger = logger;
  }

  /**
   * Ends the batch in flight at once by closing its connection, and retries nothing after that. For stopping: a
   * server that is paused or unreachable never answers the statement, and a stop must not wait for it. Nothing is
   * lost: the batch's offsets are not committed, so the next start writes it again.
   */
  abort(): void {
    this.#aborted = true;
    this.#cancelConnect?.();
    (this.#active as unknown as { connection?: { stream?: { destroy(): void } } } | undefined)?.connection?.stream?.destroy();
  }
  #cancelConnect: (() => void) | undefined;

  /** A client from the pool; abort() ends the wait (a paused server may never finish the handshake). */
  #connect(): Promise<PoolClient> {
    if (this.#aborted) return Promise.reject(new SinkError('the sink is stopping'));
    const connecting = this.#pool.connect();
    return new Promise<PoolClient>((resolve, reject) => {
      this.#cancelConnect = () => {
        // if the connection comes after all, it goes back closed: nobody is waiting for it
        connecting.then((c) => c.release(true), () => undefined);
        reject(new SinkError('stopped while connecting to PostgreSQL'));
      };
      connecting.then(resolve, reject).finally(() => (this.#cancelConnect = undefined));
    });
  }

  /**
   * Writes `ops` (in record order) in one transaction and commits it. Records that cannot be written are
   * returned as rejected; the others are committed, unless `commitWithRejects` is false, in which case nothing
   * is. Throws only for failures no record caused.
   */
  async write(ops: readonly TableOperation[], options: { commitWithRejects?: boolean } = {}): Promise<WriteResult> {
    try {
      // flush.retry.delay.ms is a fixed pause, as Kafka Connect's JDBC sink documents it: no growth, no jitter
      return await retry(() => this.#writeOnce(ops, options.commitWithRejects ?? true), {
        retries: this.#config.flushMaxRetries,
        initialBackoffMs: this.#config.flushRetryDelayMs,
        maxBackoffMs: this.#config.flushRetryDelayMs,
        jitter: 'none',
        // a stop gives up on the batch in flight: its offsets are not committed, the next start writes it again
        isRetriable: (e) => !this.#aborted && isTransient(e),
        onRetry: (e, attempt) => {
          this.#logger.warn({ err: e, attempt }, 'transient PostgreSQL error, retrying the batch');
          // the failed transaction was rolled back, and with it any table it created or altered: forget what was learned
          this.#catalog.clear();
        },
      });
    } catch (thrown) {
      // the last failure itself, whether it was not transient or the retries ran out
      const e = thrown instanceof RetriesExhaustedError ? thrown.cause : thrown;
      if (e instanceof SinkError) throw e;
      throw new SinkWriteError(`writing to PostgreSQL failed: ${(e as Error).message}`, { sqlState: (e as PgError).code, retriable: isTransient(e), cause: e });
    }
  }

  async #writeOnce(ops: readonly TableOperation[], commitWithRejects: boolean): Promise<WriteResult> {
    const client = await this.#connect();
    this.#active = client;
    // pg emits 'error' on a checked-out client whose server goes away between two statements (a crash, a
    // restart); unheard, that event ends the process. Heard, it is the real reason the next statement fails
    // ("not queryable" says only that the client is broken), and it decides whether the batch is retried.
    let lost: unknown;
    const onLost = (e: unknown): void => {
      lost ??= e;
    };
    client.on('error', onLost);
    let broken = false;
    try {
      await client.query('BEGIN');
      try {
        const { accepted, rejected } = await this.#prepare(client, ops);
        if (rejected.length > 0 && !commitWithRejects) {
          await client.query('ROLLBACK');
          return { rows: 0, rejected };
        }
        const rows = await this.#applyAll(client, accepted.map((i) => ops[i]!));
        await client.query('COMMIT');
        return { rows, rejected };
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (e instanceof SinkError || isTransient(e) || !isDataError(e as PgError)) throw e;
        // A statement failed on data: find which records, one at a time, in a fresh transaction.
        this.#logger.info({ err: e }, 'a batch statement failed on its data; applying the records one by one');
        this.#catalog.clear();
        return await this.#writeIsolated(client, ops, commitWithRejects);
      }
    } catch (e) {
      const cause = lost ?? e;
      broken = lost !== undefined || isTransient(cause);
      throw cause;
    } finally {
      this.#active = undefined;
      client.off('error', onLost);
      client.release(broken);
    }
  }

  async #writeIsolated(client: PoolClient, ops: readonly TableOperation[], commitWithRejects: boolean): Promise<WriteResult> {
    await client.query('BEGIN');
    try {
      const { accepted, rejected } = await this.#prepare(client, ops);
      const bad: Rejected[] = [...rejected];
      let rows = 0;
      for (const index of accepted) {
        const op = ops[index]!;
        await client.query('SAVEPOINT tributary_record');
        try {
          rows += await this.#applyAll(client, [op]);
          await client.query('RELEASE SAVEPOINT tributary_record');
        } catch (e) {
          if (!isDataError(e as PgError)) throw e;
          await client.query('ROLLBACK TO SAVEPOINT tributary_record');
          bad.push({ index, error: new BadRecordError(`PostgreSQL rejected the row for ${quoteTable(op.table)}: ${(e as PgError).message}`, { origin: op.origin, stage: 'TASK_PUT', cause: e }) });
        }
      }
      bad.sort((a, b) => a.index - b.index);
      if (bad.length > 0 && !commitWithRejects) {
        await client.query('ROLLBACK');
        return { rows: 0, rejected: bad };
      }
      await client.query('COMMIT');
      return { rows, rejected: bad };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /** Checks every operation against its table, evolving tables when allowed; returns the indexes that fit. */
  async #prepare(client: PoolClient, ops: readonly TableOperation[]): Promise<{ accepted: number[]; rejected: Rejected[] }> {
    const byTable = new Map<string, { table: TableRef; indexes: number[] }>();
    ops.forEach((op, index) => {
      const id = tableKey(op.table);
      let group = byTable.get(id);
      if (group === undefined) {
        group = { table: op.table, indexes: [] };
        byTable.set(id, group);
      }
      group.indexes.push(index);
    });
    const accepted: number[] = [];
    const rejected: Rejected[] = [];
    for (const { table, indexes: all } of byTable.values()) {
      let indexes = all;
      let info: TableInfo;
      try {
        info = await this.#inSavepoint(client, () => this.#prepareTable(client, table, all.map((i) => ops[i]!)));
      } catch (e) {
        if (!isRecordCaused(e)) throw e;
        // The table's DDL or checks failed on something the records asked for (a column PostgreSQL refuses, a
        // table that is missing or has no key to upsert on): find the records at fault, one at a time.
        this.#catalog.forget(table);
        indexes = [];
        for (const index of all) {
          try {
            await this.#inSavepoint(client, () => this.#prepareTable(client, table, [ops[index]!]));
            indexes.push(index);
          } catch (e2) {
            if (!isRecordCaused(e2)) throw e2;
            this.#catalog.forget(table);
            const op = ops[index]!;
            rejected.push({ index, error: new BadRecordError(`cannot write to ${describeTable(table)}: ${(e2 as Error).message}`, { origin: op.origin, stage: 'TASK_PUT', cause: e2 }) });
          }
        }
        if (indexes.length === 0) continue;
        this.#catalog.forget(table);
        info = await this.#prepareTable(client, table, indexes.map((i) => ops[i]!));
      }
      const unknownColumn = (i: number): boolean => {
        const op = ops[i]!;
        return op.kind !== 'truncate' && [...op.columns.keys()].some((c) => !info!.columns.has(c));
      };
      if (indexes.some(unknownColumn)) {
        // The cached definition may predate a column someone added since: look again before rejecting.
        this.#catalog.forget(table);
        info = (await this.#catalog.describe(client, table)) ?? info;
      }
      for (const index of indexes) {
        const op = ops[index]!;
        const unknown = op.kind === 'truncate' ? [] : [...op.columns.keys()].filter((c) => !info.columns.has(c));
        if (unknown.length > 0) {
          rejected.push({
            index,
            error: new BadRecordError(
              `column(s) ${unknown.map((c) => JSON.stringify(c)).join(', ')} not in table ${quoteTable(table)} and schema.evolution=none`,
              { origin: op.origin, stage: 'TASK_PUT' },
            ),
          });
        } else {
          accepted.push(index);
        }
      }
    }
    accepted.sort((a, b) => a - b);
    return { accepted, rejected };
  }

  /** Describes the table, evolves it for `tableOps` when allowed, and checks it can take them. */
  async #prepareTable(client: PoolClient, table: TableRef, tableOps: readonly TableOperation[]): Promise<TableInfo> {
    let info = await this.#catalog.describe(client, table);
    if (this.#config.schemaEvolution === 'basic') info = await this.#evolve(client, table, tableOps, info);
    if (info === undefined) {
      throw new TableError('does not exist; create it, or set schema.evolution=basic to let the sink create it', { table: quoteTable(table) });
    }
    this.#checkKey(table, tableOps, info);
    return info;
  }

  /** Runs `work` inside a savepoint, so that a failing statement leaves the rest of the transaction usable. */
  async #inSavepoint<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
    await client.query('SAVEPOINT tributary_prepare');
    try {
      const result = await work();
      await client.query('RELEASE SAVEPOINT tributary_prepare');
      return result;
    } catch (e) {
      if (!isTransient(e)) await client.query('ROLLBACK TO SAVEPOINT tributary_prepare');
      throw e;
    }
  }

  #checkKey(table: TableRef, ops: readonly TableOperation[], info: TableInfo): void {
    if (this.#config.insertMode !== 'upsert') return;
    const key = ops.find((o) => o.kind !== 'truncate' && o.key.length > 0);
    if (key === undefined || key.kind === 'truncate') return;
    const wanted = [...key.key].sort().join('\u0000');
    if (!info.uniqueKeys.some((k) => [...k].sort().join('\u0000') === wanted)) {
      throw new TableError(
        `has no primary key or unique index on (${key.key.join(', ')}), which insert.mode=upsert needs for ON CONFLICT`,
        { table: quoteTable(table) },
      );
    }
  }

  async #evolve(client: PoolClient, table: TableRef, ops: readonly TableOperation[], info: TableInfo | undefined): Promise<TableInfo | undefined> {
    const plan = planTable(table, ops, this.#config.insertMode);
    const definitions: ColumnDefinition[] = [];
    for (const [name, column] of plan.columns) {
      if (info?.columns.has(name) === true) continue;
      // A column only ever seen as null gets text: nothing yet says what it holds.
      definitions.push({ name, type: column.type ?? 'text', nullable: column.optional });
    }
    if (definitions.length === 0) return info;
    if (info === undefined) {
      const key = plan.key.length > 0 && this.#config.primaryKeyMode !== 'none' ? plan.key : [];
      await run(client, compileCreateTable(table, definitions, key));
      this.#logger.info({ table: quoteTable(table), columns: definitions.map((d) => d.name), key }, 'created table');
    } else {
      await run(client, compileAddColumns(table, definitions));
      this.#logger.info({ table: quoteTable(table), columns: definitions.map((d) => d.name) }, 'added columns');
    }
    // The DDL is part of this transaction; if it rolls back, the cached definition must not outlive it.
    this.#catalog.forget(table);
    const updated = await this.#catalog.describe(client, table);
    this.#catalog.forget(table);
    return updated;
  }

  async #applyAll(client: PoolClient, ops: readonly TableOperation[]): Promise<number> {
    const byTable = new Map<string, { table: TableRef; ops: TableOperation[] }>();
    for (const op of ops) {
      const id = tableKey(op.table);
      let group = byTable.get(id);
      if (group === undefined) {
        group = { table: op.table, ops: [] };
        byTable.set(id, group);
      }
      group.ops.push(op);
    }
    let rows = 0;
    for (const { table, ops: tableOps } of byTable.values()) {
      const plan = planTable(table, tableOps, this.#config.insertMode);
      const info = this.#config.insertMode === 'update' ? await this.#catalog.describe(client, table) : undefined;
      for (const step of plan.steps) {
        for (const query of compileStep(table, step, info)) rows += await run(client, query);
      }
    }
    return rows;
  }
}
