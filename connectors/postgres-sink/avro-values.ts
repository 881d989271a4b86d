import avsc from 'avsc';
import { confluentSchemaRegistry, type SchemaRegistryClient } from '../../src/serde/avro/schema-registry.js';
import { bodyOf, schemaIdOf } from '../../src/serde/avro/wire-format.js';
import type { SinkConfig } from './config.js';
import { Logical, type ConnectField, type ConnectSchema } from './connect-schema.js';
import type { JsonValue } from './json.js';

/** An Avro value read as the sink reads a JsonConverter value: a Connect schema and its payload. */
export interface AvroDecoded {
  readonly schema: ConnectSchema;
  readonly payload: JsonValue;
}

/**
 * Reads values in the schema registry's wire format (what `Serdes.avro` and Confluent's AvroConverter write).
 * Decoding is synchronous because the sink decodes a batch record by record; `prefetch` fetches the batch's writer
 * schemas beforehand. A record whose schema id the registry does not know fails alone (dead-letter by policy).
 */
export interface AvroValueReader {
  prefetch(values: readonly (Buffer | null)[]): Promise<void>;
  decode(bytes: Buffer): AvroDecoded;
}

interface WriterSchema {
  readonly type: avsc.Type;
  readonly connect: ConnectSchema;
  /** The decoded Avro value -> the payload the Connect schema describes (bytes as base64, as JsonConverter writes). */
  readonly toPayload: (value: unknown) => JsonValue;
}

/** Creates a reader that fetches writer schemas from `registry` and caches them by id. */
export function avroValueReader(registry: SchemaRegistryClient): AvroValueReader {
  const writers = new Map<number, WriterSchema | Error>();
  const learn = (id: number, text: string): void => {
    try {
      writers.set(id, compileWriter(JSON.parse(text) as AvroSchema));
    } catch (e) {
      // a schema the sink cannot map fails its records with the reason instead of the whole batch
      writers.set(id, new Error(`writer schema ${id}: ${(e as Error).message}`));
    }
  };
  return {
    async prefetch(values) {
      const missing = new Set<number>();
      for (const v of values) {
        const id = v === null ? undefined : schemaIdOf(v);
        if (id !== undefined && !writers.has(id)) missing.add(id);
      }
      await Promise.all([...missing].map(async (id) => {
        const text = await registry.schemaById(id);
        if (text !== undefined) learn(id, text);
      }));
    },
    decode(bytes) {
      const id = schemaIdOf(bytes);
      if (id === undefined) {
        throw new Error(`value.converter=avro: not in the schema registry wire format (magic byte 0 and a 4-byte schema id), got ${bytes.length} bytes starting with ${bytes.subarray(0, 5).toString('hex')}`);
      }
      let writer = writers.get(id);
      if (writer === undefined) {
        const text = registry.sync?.schemaById(id);
        if (text !== undefined) learn(id, text);
        writer = writers.get(id);
      }
      if (writer === undefined) throw new Error(`value.converter=avro: the schema registry has no Avro schema with id ${id}`);
      if (writer instanceof Error) throw writer;
      let value: unknown;
      try {
        value = writer.type.fromBuffer(bodyOf(bytes));
      } catch (e) {
        throw new Error(`value.converter=avro: cannot decode the body with writer schema ${id}: ${(e as Error).message}`);
      }
      return { schema: writer.connect, payload: writer.toPayload(value) };
    },
  };
}

type AvroSchema = string | AvroSchema[] | { readonly type: AvroSchema; readonly [key: string]: unknown };

interface Mapped {
  readonly schema: ConnectSchema;
  readonly toPayload: (value: unknown) => JsonValue;
}

function compileWriter(schema: AvroSchema): WriterSchema {
  // unwrapped unions: a ["null", X] value is null or the X value itself
  const type = avsc.Type.forSchema(schema as avsc.Schema, { wrapUnions: 'never' });
  const mapped = new SchemaMapper().map(schema, undefined);
  return { type, connect: mapped.schema, toPayload: mapped.toPayload };
}

const same = (v: unknown): JsonValue => v as JsonValue;
const base64 = (v: unknown): JsonValue => (v as Buffer).toString('base64');

/** Avro schema -> Connect schema as Confluent's AvroConverter maps them (logical types to Connect's logical types). */
class SchemaMapper {
  private readonly named = new Map<string, Mapped>();

  map(schema: AvroSchema, namespace: string | undefined): Mapped {
    if (typeof schema === 'string') return this.mapName(schema, namespace);
    if (Array.isArray(schema)) return this.mapUnion(schema, namespace);
    const logical = typeof schema['logicalType'] === 'string' ? this.mapLogical(schema, schema['logicalType']) : undefined;
    if (logical !== undefined) return logical;
    const t = schema.type;
    if (typeof t !== 'string' || !['record', 'error', 'enum', 'fixed', 'array', 'map'].includes(t)) return this.map(t, namespace);
    const name = typeof schema['name'] === 'string' ? schema['name'] : undefined;
    const ns = name?.includes('.') === true ? name.slice(0, name.lastIndexOf('.')) : typeof schema['namespace'] === 'string' ? schema['namespace'] : namespace;
    switch (t) {
      case 'enum': return this.remember(name, ns, { schema: { type: 'string' }, toPayload: same });
      case 'fixed': return this.remember(name, ns, { schema: { type: 'bytes' }, toPayload: base64 });
      case 'array': {
        const items = this.map(schema['items'] as AvroSchema, namespace);
        return { schema: { type: 'array', items: items.schema }, toPayload: (v) => (v as unknown[]).map(items.toPayload) };
      }
      case 'map': {
        const values = this.map(schema['values'] as AvroSchema, namespace);
        return {
          schema: { type: 'map', keys: { type: 'string' }, values: values.schema },
          toPayload: (v) => Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, values.toPayload(x)])),
        };
      }
      default: {
        const fields: ConnectField[] = [];
        const converters: [string, (v: unknown) => JsonValue][] = [];
        for (const f of (schema['fields'] as { name: string; type: AvroSchema }[] | undefined) ?? []) {
          const m = this.map(f.type, ns);
          fields.push({ ...m.schema, field: f.name });
          converters.push([f.name, m.toPayload]);
        }
        return this.remember(name, ns, {
          schema: { type: 'struct', fields, ...(name === undefined ? {} : { name: ns === undefined || name.includes('.') ? name : `${ns}.${name}` }) },
          toPayload: (v) => {
            const record = v as Record<string, unknown>;
            return Object.fromEntries(converters.map(([field, convert]) => [field, record[field] === null || record[field] === undefined ? null : convert(record[field])]));
          },
        });
      }
    }
  }

  private remember(name: string | undefined, ns: string | undefined, mapped: Mapped): Mapped {
    if (name !== undefined) {
      const full = name.includes('.') || ns === undefined ? name : `${ns}.${name}`;
      this.named.set(full, mapped);
    }
    return mapped;
  }

  private mapName(name: string, namespace: string | undefined): Mapped {
    switch (name) {
      case 'boolean': return { schema: { type: 'boolean' }, toPayload: same };
      case 'int': return { schema: { type: 'int32' }, toPayload: same };
      case 'long': return { schema: { type: 'int64' }, toPayload: same };
      case 'float': return { schema: { type: 'float' }, toPayload: same };
      case 'double': return { schema: { type: 'double' }, toPayload: (v) => (Number.isFinite(v as number) ? (v as number) : String(v)) };
      case 'string': return { schema: { type: 'string' }, toPayload: same };
      case 'bytes': return { schema: { type: 'bytes' }, toPayload: base64 };
      case 'null': throw new Error('a field of type null alone has no column');
      default: {
        const found = this.named.get(name) ?? (namespace === undefined ? undefined : this.named.get(`${namespace}.${name}`));
        if (found === undefined) throw new Error(`unknown Avro type ${JSON.stringify(name)}`);
        return found;
      }
    }
  }

  private mapUnion(branches: AvroSchema[], namespace: string | undefined): Mapped {
    const others = branches.filter((b) => b !== 'null');
    if (others.length !== 1) throw new Error(`a union of ${others.length} non-null types has no single column type (only ["null", T] unions are read)`);
    const inner = this.map(others[0]!, namespace);
    return { schema: { ...inner.schema, optional: branches.length > 1 }, toPayload: (v) => (v === null ? null : inner.toPayload(v)) };
  }

  private mapLogical(schema: { readonly type: AvroSchema; readonly [key: string]: unknown }, logicalType: string): Mapped | undefined {
    const base = schema.type;
    switch (logicalType) {
      case 'decimal': {
        if (base !== 'bytes' && base !== 'fixed') return undefined;
        const scale = typeof schema['scale'] === 'number' ? schema['scale'] : 0;
        const precision: Record<string, string> = typeof schema['precision'] === 'number' ? { 'connect.decimal.precision': String(schema['precision']) } : {};
        return { schema: { type: 'bytes', name: Logical.Decimal, parameters: { scale: String(scale), ...precision } }, toPayload: base64 };
      }
      case 'date': return base === 'int' ? { schema: { type: 'int32', name: Logical.ConnectDate }, toPayload: same } : undefined;
      case 'time-millis': return base === 'int' ? { schema: { type: 'int32', name: Logical.ConnectTime }, toPayload: same } : undefined;
      case 'time-micros': return base === 'long' ? { schema: { type: 'int64', name: Logical.MicroTime }, toPayload: same } : undefined;
      case 'timestamp-millis': return base === 'long' ? { schema: { type: 'int64', name: Logical.ConnectTimestamp }, toPayload: same } : undefined;
      case 'timestamp-micros': return base === 'long' ? { schema: { type: 'int64', name: Logical.MicroTimestamp }, toPayload: same } : undefined;
      case 'uuid': return base === 'string' ? { schema: { type: 'string', name: Logical.Uuid }, toPayload: same } : undefined;
      default: return undefined; // an unknown logical type is read as its underlying type, as the Avro spec asks
    }
  }
}

/** The sink's Avro reader when `value.converter=avro`, on the configured registry; undefined otherwise. */
export function avroReaderFor(config: Pick<SinkConfig, 'valueFormat' | 'valueSchemaRegistryUrl'>): AvroValueReader | undefined {
  if (config.valueFormat !== 'avro' || config.valueSchemaRegistryUrl === undefined) return undefined;
  return avroValueReader(confluentSchemaRegistry({ host: config.valueSchemaRegistryUrl }));
}
