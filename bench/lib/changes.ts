// The W6 input: Debezium change events of one table (`id` int64 key; `user_id` int32, `amount` Decimal(12,2),
// `note` optional string, `version` int32), as Debezium's JsonConverter writes them with schemas: inserts, updates
// of existing keys (many close together on a few hot keys), deletes followed by their tombstone, and re-inserts of
// deleted keys. The bench replays the events into a Map to get the table every contender must end with.
import { createHash } from 'node:crypto';
import { seededRandom } from './clicks.js';

export interface ItemRow {
  readonly id: number;
  readonly userId: number;
  /** amount in cents: the Decimal's unscaled value at scale 2. */
  readonly cents: number;
  readonly note: string | null;
  readonly version: number;
}

export interface ChangeRecord {
  readonly key: Buffer;
  /** null for a tombstone. */
  readonly value: Buffer | null;
}

export interface ChangeSet {
  readonly records: ChangeRecord[];
  readonly upserts: number;
  readonly deletes: number;
  /** The table after every record, by id. */
  readonly table: Map<number, ItemRow>;
  /** Encodes further events (the latency probes) of the same topic. */
  readonly encoder: ChangeEncoder;
}

/** The last backlog record inserts this id: once its row is visible, the whole backlog is (one partition, in order). */
export const SENTINEL_ID = 0;

/** The target table; every contender writes into it as it is (schema evolution off). */
export const ITEMS_COLUMNS = 'id bigint primary key, user_id integer not null, amount numeric(12,2) not null, note text, version integer not null';

/** One line per row, ordered by id, hashed with MD5: the same text `tableDigestSql` builds inside PostgreSQL. */
export function tableDigest(rows: Iterable<ItemRow>): { count: number; md5: string } {
  const sorted = [...rows].sort((a, b) => a.id - b.id);
  const text = sorted.map((r) => `${r.id}|${r.userId}|${amountText(r.cents)}|${r.note ?? '\\N'}|${r.version}`).join('\n');
  return { count: sorted.length, md5: createHash('md5').update(text, 'utf8').digest('hex') };
}

export function tableDigestSql(table: string): string {
  return `select count(*)::int as count, md5(coalesce(string_agg(concat_ws('|', id, user_id, amount, coalesce(note, '\\N'), version), E'\\n' order by id), '')) as md5 from ${table}`;
}

function amountText(cents: number): string {
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** Kafka Connect's Decimal: the unscaled value as big-endian two's complement, shortest form, base64. */
export function decimalBase64(unscaled: number): string {
  let hex = BigInt(unscaled).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  // A leading byte with the high bit set would read as negative: prefix a zero byte.
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return Buffer.from(hex, 'hex').toString('base64');
}

const VALUE_FIELDS = [
  { type: 'int64', optional: false, field: 'id' },
  { type: 'int32', optional: false, field: 'user_id' },
  { type: 'bytes', optional: false, name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2', 'connect.decimal.precision': '12' }, field: 'amount' },
  { type: 'string', optional: true, field: 'note' },
  { type: 'int32', optional: false, field: 'version' },
];

const SOURCE_SCHEMA = {
  type: 'struct',
  fields: [
    { type: 'string', optional: false, field: 'version' }, { type: 'string', optional: false, field: 'connector' },
    { type: 'string', optional: false, field: 'name' }, { type: 'int64', optional: false, field: 'ts_ms' },
    { type: 'string', optional: true, name: 'io.debezium.data.Enum', version: 1, parameters: { allowed: 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental' }, default: 'false', field: 'snapshot' },
    { type: 'string', optional: false, field: 'db' }, { type: 'string', optional: true, field: 'sequence' },
    { type: 'int64', optional: true, field: 'ts_us' }, { type: 'int64', optional: true, field: 'ts_ns' },
    { type: 'string', optional: false, field: 'schema' }, { type: 'string', optional: false, field: 'table' },
    { type: 'int64', optional: true, field: 'txId' }, { type: 'int64', optional: true, field: 'lsn' }, { type: 'int64', optional: true, field: 'xmin' },
  ],
  optional: false,
  name: 'io.debezium.connector.postgresql.Source',
  version: 1,
  field: 'source',
};

/** Key and value schema texts of a topic `<prefix>.public.items`, as Debezium names them. */
function schemas(prefix: string): { key: string; value: string } {
  const name = `${prefix}.public.items`;
  const row = (field: string) => ({ type: 'struct', fields: VALUE_FIELDS, optional: true, name: `${name}.Value`, field });
  const value = {
    type: 'struct',
    fields: [
      row('before'), row('after'), SOURCE_SCHEMA,
      { type: 'struct', fields: [
        { type: 'string', optional: false, field: 'id' }, { type: 'int64', optional: false, field: 'total_order' },
        { type: 'int64', optional: false, field: 'data_collection_order' },
      ], optional: true, name: 'event.block', version: 1, field: 'transaction' },
      { type: 'string', optional: false, field: 'op' },
      { type: 'int64', optional: true, field: 'ts_ms' }, { type: 'int64', optional: true, field: 'ts_us' }, { type: 'int64', optional: true, field: 'ts_ns' },
    ],
    optional: false,
    name: `${name}.Envelope`,
    version: 2,
  };
  const key = { type: 'struct', fields: [{ type: 'int64', optional: false, field: 'id' }], optional: false, name: `${name}.Key` };
  return { key: JSON.stringify(key), value: JSON.stringify(value) };
}

function rowJson(r: ItemRow | null): string {
  if (r === null) return 'null';
  return `{"id":${r.id},"user_id":${r.userId},"amount":"${decimalBase64(r.cents)}","note":${r.note === null ? 'null' : JSON.stringify(r.note)},"version":${r.version}}`;
}

/** Encodes change events of one topic prefix; `seq` makes source positions grow as a real log's do. */
export class ChangeEncoder {
  readonly #schemas: { key: string; value: string };
  readonly #prefix: string;
  #seq = 0;

  constructor(prefix: string) {
    this.#prefix = prefix;
    this.#schemas = schemas(prefix);
  }

  key(id: number): Buffer {
    return Buffer.from(`{"schema":${this.#schemas.key},"payload":{"id":${id}}}`);
  }

  event(op: 'c' | 'u' | 'd', before: ItemRow | null, after: ItemRow | null): Buffer {
    const seq = ++this.#seq;
    const ms = 1_767_225_600_000 + seq;
    const source = `{"version":"3.6.1.Final","connector":"postgresql","name":"${this.#prefix}","ts_ms":${ms},"snapshot":"false","db":"app",` +
      `"sequence":"[null,\\"${seq * 64}\\"]","ts_us":${ms}000,"ts_ns":${ms}000000,"schema":"public","table":"items","txId":${1000 + seq},"lsn":${seq * 64},"xmin":null}`;
    const payload = `{"before":${rowJson(before)},"after":${rowJson(after)},"source":${source},"transaction":null,"op":"${op}","ts_ms":${ms + 5},"ts_us":${ms + 5}000,"ts_ns":${ms + 5}000000}`;
    return Buffer.from(`{"schema":${this.#schemas.value},"payload":${payload}}`);
  }
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett', 'kilo', 'lima', 'übergröße', 'naïve "quoted"', 'back\\slash'];

/**
 * `upserts` inserts and updates (the last one inserts SENTINEL_ID) and `deletes` deletes (each followed by a tombstone), in a fixed pseudo-random
 * order; ids start at 1. Deletes and updates only touch live keys; some inserts bring a deleted key back.
 */
export function generateChanges(prefix: string, upserts: number, deletes: number, seed = 1): ChangeSet {
  const random = seededRandom(seed);
  const encoder = new ChangeEncoder(prefix);
  const table = new Map<number, ItemRow>();
  const live: number[] = [];
  const slot = new Map<number, number>();
  const dead: number[] = [];
  const recent: number[] = [];
  const records: ChangeRecord[] = [];
  let nextId = 1;
  const note = (): string | null => (random() < 0.1 ? null : `${WORDS[Math.floor(random() * WORDS.length)]} ${Math.floor(random() * 1e6)}`);
  const addLive = (id: number): void => {
    slot.set(id, live.length);
    live.push(id);
  };
  const removeLive = (id: number): void => {
    const at = slot.get(id)!;
    const last = live.pop()!;
    if (last !== id) {
      live[at] = last;
      slot.set(last, at);
    }
    slot.delete(id);
  };
  const pickLive = (): number => {
    // Half of the picks go to recently touched keys, so one batch often holds several changes of one key.
    if (recent.length > 0 && random() < 0.5) {
      const id = recent[Math.floor(random() * recent.length)]!;
      if (table.has(id)) return id;
    }
    return live[Math.floor(random() * live.length)]!;
  };
  const touch = (id: number): void => {
    recent.push(id);
    if (recent.length > 64) recent.shift();
  };
  let upsertsLeft = upserts - 1;
  let deletesLeft = deletes;
  while (upsertsLeft + deletesLeft > 0) {
    const remaining = upsertsLeft + deletesLeft;
    const doDelete = deletesLeft > 0 && live.length > 0 && (upsertsLeft === 0 || random() < deletesLeft / remaining);
    if (doDelete) {
      const id = pickLive();
      const before = table.get(id)!;
      records.push({ key: encoder.key(id), value: encoder.event('d', before, null) }, { key: encoder.key(id), value: null });
      table.delete(id);
      removeLive(id);
      dead.push(id);
      touch(id);
      deletesLeft--;
      continue;
    }
    if (upsertsLeft === 0) throw new Error('deletes left but no live key to delete');
    const insert = live.length < 50 || random() < 0.6;
    if (insert) {
      const id = dead.length > 0 && random() < 0.2 ? dead.splice(Math.floor(random() * dead.length), 1)[0]! : nextId++;
      const row: ItemRow = { id, userId: Math.floor(random() * 10_000), cents: Math.floor(random() * 10_000_000), note: note(), version: 1 };
      records.push({ key: encoder.key(id), value: encoder.event('c', null, row) });
      table.set(id, row);
      addLive(id);
      touch(id);
    } else {
      const id = pickLive();
      const before = table.get(id)!;
      const row: ItemRow = { ...before, cents: Math.floor(random() * 10_000_000), note: random() < 0.3 ? note() : before.note, version: before.version + 1 };
      records.push({ key: encoder.key(id), value: encoder.event('u', before, row) });
      table.set(id, row);
      touch(id);
    }
    upsertsLeft--;
  }
  const sentinel: ItemRow = { id: SENTINEL_ID, userId: 0, cents: 0, note: 'end of backlog', version: 1 };
  records.push({ key: encoder.key(SENTINEL_ID), value: encoder.event('c', null, sentinel) });
  table.set(SENTINEL_ID, sentinel);
  return { records, upserts, deletes, table, encoder };
}
