import avsc from 'avsc';
import { StreamsError } from '../../errors.js';
import type { Serde } from '../serde.js';
import type { SchemaRegistryClient } from './schema-registry.js';
import { bodyOf, frame, schemaIdOf } from './wire-format.js';

/** An Avro schema: its JSON text or the parsed JSON object. */
export type AvroSchemaDefinition = string | object;

/**
 * Picks the registry subject of a topic's keys or values. The default, Confluent's TopicNameStrategy,
 * is `<topic>-key` / `<topic>-value`.
 */
export type SubjectNameStrategy = (topic: string, isKey: boolean, schema: avsc.Type) => string;

/** Confluent's default: `<topic>-key` and `<topic>-value`. */
export const topicNameStrategy: SubjectNameStrategy = (topic, isKey) => `${topic}-${isKey ? 'key' : 'value'}`;

/** Confluent's RecordNameStrategy: the record's full name, whatever the topic. */
export const recordNameStrategy: SubjectNameStrategy = (_topic, _isKey, schema) => {
  if (schema.name === undefined) throw new TypeError('recordNameStrategy needs a named schema (record, enum or fixed)');
  return schema.name;
};

/** Options of {@link avroSerde} (`Serdes.avro()` / `Serdes.avroKey()`). */
export interface AvroSerdeOptions {
  /** Where writer schemas are registered and looked up by id. */
  readonly registry: SchemaRegistryClient;
  /**
   * The schema this serde writes, and the reader schema records of any writer schema are resolved to
   * (Avro schema resolution: added fields take their defaults, removed fields are skipped). Without it the
   * serde only reads, decoding each record with its writer schema.
   */
  readonly schema?: AvroSchemaDefinition;
  /** Register the schema when the subject does not hold it (default true); false only looks it up. */
  readonly autoRegister?: boolean;
  /** Default {@link topicNameStrategy}. */
  readonly subjectNameStrategy?: SubjectNameStrategy;
}

/**
 * The async side of a registry-backed serde. The runtime awaits `prepare` for every topic the serde writes
 * before processing starts and `prefetch` for every fetched batch before its records are deserialized, so
 * `serialize` and `deserialize` themselves never wait for the network.
 */
export interface PreparedSerde<T> extends Serde<T> {
  /** Resolves (registers or looks up) the writer schema id of `topic`'s subject. */
  readonly prepare: (topic: string) => Promise<void>;
  /** Fetches the writer schemas of these payloads that are not cached yet. */
  readonly prefetch: (payloads: readonly Buffer[], topic: string) => Promise<void>;
}

/** A record could not be Avro-encoded or decoded; carries the subject or schema id involved. */
export class AvroSerdeError extends StreamsError {}

/**
 * A Confluent-compatible Avro serde (see {@link Serdes.avro}). Schemas are cached by id, writer ids by subject.
 */
export function avroSerde<T>(options: AvroSerdeOptions, isKey: boolean): PreparedSerde<T> {
  const { registry } = options;
  const autoRegister = options.autoRegister ?? true;
  const subjectOf = options.subjectNameStrategy ?? topicNameStrategy;
  const readerType = options.schema === undefined ? undefined : avsc.Type.forSchema(parseSchema(options.schema));
  const readerText = readerType === undefined ? undefined : JSON.stringify(readerType.schema());
  const writerIds = new Map<string, number>();
  /** Per writer id: how to decode its records (its type, and the resolver to the reader type when they differ). */
  const decoders = new Map<number, (body: Buffer) => unknown>();

  const learnWriter = (id: number, schema: string): void => {
    const writerType = avsc.Type.forSchema(JSON.parse(schema) as avsc.Schema);
    if (readerType === undefined || writerType.equals(readerType)) {
      const type = readerType ?? writerType;
      decoders.set(id, (body) => type.fromBuffer(body));
      return;
    }
    const resolver = readerType.createResolver(writerType);
    decoders.set(id, (body) => readerType.fromBuffer(body, resolver));
  };

  // The id of our own schema decodes with it: what this serde wrote (e.g. a changelog) reads back without a fetch.
  const remember = (subject: string, id: number): void => {
    writerIds.set(subject, id);
    if (!decoders.has(id)) learnWriter(id, readerText!);
  };

  const subjectFor = (topic: string): string => subjectOf(topic, isKey, readerType!);

  const writerIdSync = (topic: string): number => {
    const subject = subjectFor(topic);
    const known = writerIds.get(subject);
    if (known !== undefined) return known;
    const sync = registry.sync;
    if (sync === undefined) {
      throw new AvroSerdeError(`the writer schema of subject ${subject} is not resolved yet: the runtime prepares the topics it knows before processing starts; for other topics await serde.prepare('${topic}') first`, { context: { subject } });
    }
    const id = autoRegister ? sync.register(subject, readerText!) : sync.lookup(subject, readerText!);
    if (id === undefined) throw new AvroSerdeError(`subject ${subject} does not hold the schema and autoRegister is off`, { context: { subject } });
    remember(subject, id);
    return id;
  };

  const decoderSync = (id: number): ((body: Buffer) => unknown) | undefined => {
    const known = decoders.get(id);
    if (known !== undefined) return known;
    const schema = registry.sync?.schemaById(id);
    if (schema === undefined) return undefined;
    learnWriter(id, schema);
    return decoders.get(id);
  };

  return Object.freeze({
    name: isKey ? 'avro-key' : 'avro',
    serialize: (value: T, topic: string): Buffer => {
      if (readerType === undefined) throw new AvroSerdeError('this Avro serde has no schema and only reads; pass { schema } to write');
      // Topic '' is how stores and operators compare keys by their bytes inside the process: no registry needed.
      const id = topic === '' ? 0 : writerIdSync(topic);
      let body: Buffer;
      try {
        body = readerType.toBuffer(value);
      } catch (cause) {
        throw new AvroSerdeError(`value does not match schema ${readerType.name ?? readerType.typeName}: ${invalidPaths(readerType, value)}`, { cause, context: { schemaId: id } });
      }
      return frame(id, body);
    },
    deserialize: (bytes: Buffer): T => {
      const id = schemaIdOf(bytes);
      if (id === undefined) throw new AvroSerdeError(`not in the schema registry wire format (expected magic byte 0 and a 4-byte schema id, got ${bytes.length} bytes starting with ${bytes.subarray(0, 5).toString('hex')})`);
      const decode = decoderSync(id);
      if (decode === undefined) throw new AvroSerdeError(`unknown writer schema id ${id}: the registry has no Avro schema with this id`, { context: { schemaId: id } });
      try {
        return decode(bodyOf(bytes)) as T;
      } catch (cause) {
        throw new AvroSerdeError(`cannot decode Avro body with writer schema ${id}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, context: { schemaId: id } });
      }
    },
    prepare: async (topic: string): Promise<void> => {
      if (readerType === undefined) return;
      const subject = subjectFor(topic);
      if (writerIds.has(subject)) return;
      const id = autoRegister ? await registry.register(subject, readerText!) : await registry.lookup(subject, readerText!);
      if (id === undefined) throw new AvroSerdeError(`subject ${subject} does not hold the schema and autoRegister is off; register it first`, { context: { subject } });
      remember(subject, id);
    },
    prefetch: async (payloads: readonly Buffer[]): Promise<void> => {
      const missing = new Set<number>();
      for (const bytes of payloads) {
        const id = schemaIdOf(bytes);
        if (id !== undefined && !decoders.has(id)) missing.add(id);
      }
      if (missing.size === 0) return;
      // An id the registry does not know stays unknown: deserialize then fails that record alone, so the
      // error policy (e.g. a dead-letter topic) decides. A registry that cannot be reached fails the call.
      await Promise.all(
        [...missing].map(async (id) => {
          const schema = await registry.schemaById(id);
          if (schema !== undefined && !decoders.has(id)) learnWriter(id, schema);
        }),
      );
    },
  });
}

function parseSchema(schema: AvroSchemaDefinition): avsc.Schema {
  return (typeof schema === 'string' ? JSON.parse(schema) : schema) as avsc.Schema;
}

function invalidPaths(type: avsc.Type, value: unknown): string {
  const paths: string[] = [];
  type.isValid(value, { errorHook: (path) => paths.push(path.length === 0 ? '(root)' : path.join('.')) });
  return paths.length === 0 ? 'invalid value' : `invalid at ${paths.join(', ')}`;
}
