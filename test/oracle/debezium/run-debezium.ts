/**
 * Runs the real Debezium PostgreSQL connector (embedded engine, see ./pom.xml for versions) against a database and
 * returns its change events as a Kafka consumer of the Debezium topics would read them: key and value are the
 * JsonConverter text (`schemas.enable` true by default; null for a tombstone), header values the
 * SimpleHeaderConverter text (Kafka Connect's default header converter). Offsets live in memory unless
 * `offsetsFile` is given; the replication slot and publication stay behind after a run (Debezium's defaults) unless
 * `properties` say otherwise (e.g. `slot.drop.on.stop: 'true'`).
 *
 * @example
 * // one shot: snapshot + whatever streams in, until 5 s pass without an event
 * const events = await runDebezium({ ...connection, slotName: 'dbz', publicationName: 'dbz_pub',
 *   tableIncludeList: 'public.items', idleMs: 5000 });
 *
 * // interactive: start, wait for the snapshot, change rows, wait for their events, stop
 * const debezium = DebeziumOracle.start({ ...connection, slotName: 'dbz', publicationName: 'dbz_pub',
 *   tableIncludeList: 'public.items' });
 * await debezium.waitForEvents(2, 60_000);          // the two snapshot rows
 * await pg.query("update items set name = 'x' where id = 1");
 * const events = await debezium.waitForEvents(3, 60_000);
 * await debezium.stop();
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildJavaOracle, type JavaCommand } from '../maven.js';

export { OracleBuildError } from '../maven.js';

export const DEBEZIUM_ORACLE_DIR = dirname(fileURLToPath(import.meta.url));
const MAIN_CLASS = 'dev.tributary.oracle.debezium.DebeziumOracle';

export interface DebeziumOracleOptions {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /** `slot.name` */
  readonly slotName: string;
  /** `publication.name` */
  readonly publicationName: string;
  /** `table.include.list`, e.g. `public.items,public.orders` */
  readonly tableIncludeList: string;
  /** `snapshot.mode`; default `initial` */
  readonly snapshotMode?: string;
  /** `topic.prefix`; default `dbserver1` */
  readonly topicPrefix?: string;
  /** JsonConverter `schemas.enable` for key and value; default true */
  readonly schemasEnable?: boolean;
  /** File offset store (survives restarts); default: in-memory offsets */
  readonly offsetsFile?: string;
  /** Stop after this many events (runDebezium). */
  readonly maxEvents?: number;
  /** Stop after this long without an event (runDebezium; default 5000 ms). */
  readonly idleMs?: number;
  /** Any further Debezium connector/engine properties, e.g. `{ 'decimal.handling.mode': 'string' }`. */
  readonly properties?: Readonly<Record<string, string>>;
  /** slf4j-simple level for Debezium's own logs on stderr; default `warn`. */
  readonly logLevel?: string;
}

export interface DebeziumHeader {
  readonly key: string;
  /** The header bytes as UTF-8 text (SimpleHeaderConverter output), null for a null header. */
  readonly value: string | null;
  readonly base64: string | null;
}

export interface DebeziumEvent {
  readonly topic: string;
  /** JsonConverter text of the key (parse with a 64-bit-safe JSON parser when int64 precision matters). */
  readonly key: string | null;
  /** JsonConverter text of the value; null for a tombstone. */
  readonly value: string | null;
  readonly headers: readonly DebeziumHeader[];
  /** SourceRecord timestamp (null: Kafka would use the producer's time). */
  readonly timestamp: number | null;
  /** SourceRecord partition (null: Kafka's default partitioner on the key bytes). */
  readonly partition: number | null;
}

/** The Debezium engine stopped with an error, or could not be started. */
export class DebeziumOracleError extends Error {
  readonly retriable = false;
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${message} (exit ${String(exitCode)})\n${stderr}`);
    this.name = 'DebeziumOracleError';
  }
}

/** Options for a database URL such as `postgres://user:pw@127.0.0.1:5432/db` (e.g. `DATABASE_URL`). */
export function connectionFromUrl(
  url: string,
): Pick<DebeziumOracleOptions, 'host' | 'port' | 'database' | 'user' | 'password'> {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
}

export function buildDebeziumOracle(): JavaCommand {
  return buildJavaOracle(DEBEZIUM_ORACLE_DIR, MAIN_CLASS, ['-XX:+UseSerialGC']);
}

function commandLine(options: DebeziumOracleOptions, interactive: boolean): string[] {
  const args = [
    '--host', options.host,
    '--port', String(options.port),
    '--db', options.database,
    '--user', options.user,
    '--password', options.password,
    '--slot', options.slotName,
    '--publication', options.publicationName,
    '--tables', options.tableIncludeList,
    '--snapshot-mode', options.snapshotMode ?? 'initial',
    '--topic-prefix', options.topicPrefix ?? 'dbserver1',
    '--schemas-enable', String(options.schemasEnable ?? true),
    '--log-level', options.logLevel ?? 'warn',
  ];
  if (options.offsetsFile !== undefined) args.push('--offsets-file', options.offsetsFile);
  if (interactive) args.push('--stop-on-eof', '--idle-ms', '0');
  else {
    args.push('--idle-ms', String(options.idleMs ?? 5000));
    if (options.maxEvents !== undefined) args.push('--max-events', String(options.maxEvents));
  }
  for (const [key, value] of Object.entries(options.properties ?? {})) args.push('--prop', `${key}=${value}`);
  return args;
}

/**
 * A running Debezium engine. Events accumulate in {@link DebeziumOracle.events}; {@link DebeziumOracle.stop} ends
 * the engine (by closing its stdin) and resolves with every event.
 */
export class DebeziumOracle {
  readonly events: DebeziumEvent[] = [];
  private stderr = '';
  private readonly waiters = new Set<() => void>();
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-50_000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.trim() === '') return;
      this.events.push(JSON.parse(line) as DebeziumEvent);
      for (const wake of this.waiters) wake();
    });
    this.exited = new Promise((resolve) => {
      child.once('error', (error) => {
        this.stderr += `\n${error.message}`;
        this.exitCode = null;
        resolve(null);
      });
      child.once('close', (code) => {
        this.exitCode = code;
        for (const wake of this.waiters) wake();
        resolve(code);
      });
    });
  }

  static start(options: DebeziumOracleOptions): DebeziumOracle {
    const java = buildDebeziumOracle();
    return new DebeziumOracle(spawn(java.command, [...java.args, ...commandLine(options, true)], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** Resolves once at least `count` events arrived (with all events so far); rejects on timeout or engine exit. */
  waitForEvents(count: number, timeoutMs: number): Promise<DebeziumEvent[]> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (this.events.length >= count) {
          finish();
          resolve([...this.events]);
          return true;
        }
        if (this.exitCode !== undefined) {
          finish();
          reject(new DebeziumOracleError(`Debezium exited after ${this.events.length} of ${count} events`, this.exitCode, this.stderr));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new DebeziumOracleError(`timed out after ${timeoutMs} ms with ${this.events.length} of ${count} events`, null, this.stderr));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      const wake = (): void => {
        check();
      };
      if (!check()) this.waiters.add(wake);
    });
  }

  /** Stops the engine and resolves with every event it delivered. */
  async stop(): Promise<DebeziumEvent[]> {
    if (this.exitCode === undefined) this.child.stdin.end();
    const code = await this.exited;
    if (code !== 0) throw new DebeziumOracleError('Debezium engine failed', code, this.stderr);
    return [...this.events];
  }

  /** Debezium's log output so far (stderr). */
  log(): string {
    return this.stderr;
  }
}

/** Runs Debezium until `maxEvents` events or `idleMs` (default 5 s) without an event; returns the events. */
export async function runDebezium(options: DebeziumOracleOptions): Promise<DebeziumEvent[]> {
  const java = buildDebeziumOracle();
  const child = spawn(java.command, [...java.args, ...commandLine(options, false)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-50_000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  const events: DebeziumEvent[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.trim() !== '') events.push(JSON.parse(line) as DebeziumEvent);
  }
  const code = await exited;
  if (code !== 0) throw new DebeziumOracleError('Debezium engine failed', code, stderr);
  return events;
}
