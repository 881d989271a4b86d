import { avroSerde, type AvroSerdeOptions, type PreparedSerde } from './avro/avro-serde.js';
import type { Serde } from './serde.js';

const stringSerde: Serde<string> = Object.freeze({
  name: 'string',
  serialize: (value: string) => Buffer.from(value, 'utf8'),
  deserialize: (bytes: Buffer) => bytes.toString('utf8'),
});

const bytesSerde: Serde<Buffer> = Object.freeze({
  name: 'bytes',
  serialize: (value: Buffer) => value,
  deserialize: (bytes: Buffer) => bytes,
});

const longSerde: Serde<number> = Object.freeze({
  name: 'long',
  serialize: (value: number) => {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`Serdes.long() serializes safe integers only, got ${value}`);
    }
    const out = Buffer.allocUnsafe(8);
    out.writeBigInt64BE(BigInt(value));
    return out;
  },
  deserialize: (bytes: Buffer) => {
    if (bytes.length !== 8) throw new RangeError(`Serdes.long() expects 8 bytes, got ${bytes.length}`);
    return Number(bytes.readBigInt64BE(0));
  },
});

const doubleSerde: Serde<number> = Object.freeze({
  name: 'double',
  serialize: (value: number) => {
    const out = Buffer.allocUnsafe(8);
    out.writeDoubleBE(value);
    return out;
  },
  deserialize: (bytes: Buffer) => {
    if (bytes.length !== 8) throw new RangeError(`Serdes.double() expects 8 bytes, got ${bytes.length}`);
    return bytes.readDoubleBE(0);
  },
});

const jsonNumberSerde: Serde<number> = Object.freeze({
  name: 'json-number',
  serialize: (value: number) => Buffer.from(JSON.stringify(value), 'utf8'),
  deserialize: (bytes: Buffer) => {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof parsed !== 'number') throw new TypeError(`expected a JSON number, got ${typeof parsed}`);
    return parsed;
  },
});

/**
 * Built-in serdes. Wire formats match Kafka's: `string` is UTF-8, `long` is an 8-byte big-endian
 * two's-complement integer (Kafka's LongSerde), `double` an 8-byte IEEE 754 big-endian float.
 *
 * @example
 * builder.stream('clicks', { key: Serdes.string(), value: Serdes.json<Click>() });
 */
export const Serdes = Object.freeze({
  string: (): Serde<string> => stringSerde,
  bytes: (): Serde<Buffer> => bytesSerde,
  /** Kafka's LongSerde; JS numbers must be safe integers. */
  long: (): Serde<number> => longSerde,
  double: (): Serde<number> => doubleSerde,
  /** A number as JSON text (`42`), for topics written by JSON producers. */
  jsonNumber: (): Serde<number> => jsonNumberSerde,
  /**
   * JSON text in UTF-8. The type parameter is trusted: validate shapes yourself (or wrap this serde)
   * when the topic may carry foreign data.
   */
  json: <T>(): Serde<T> =>
    Object.freeze({
      name: 'json',
      serialize: (value: T) => Buffer.from(JSON.stringify(value), 'utf8'),
      deserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as T,
    }),
  /**
   * Avro values in Confluent's wire format (magic byte 0, 4-byte big-endian schema id, Avro binary), with
   * schemas in a Confluent-compatible schema registry under `<topic>-value` (TopicNameStrategy) unless
   * another {@link SubjectNameStrategy} is given. Writing registers `schema` (or looks it up); reading
   * decodes with the writer schema of each record's id and resolves it to `schema` when one is given.
   * KafkaStreams resolves schema ids before processing starts and fetches unknown writer schemas per batch,
   * so serializing and deserializing never wait; an unknown id or bytes without the magic byte fail the
   * record (a DeserializationError, handled by the error policy).
   *
   * @example
   * interface Order { id: string; amount: number; note: string | null }
   * const orderSchema = {
   *   type: 'record', name: 'Order', namespace: 'shop',
   *   fields: [
   *     { name: 'id', type: 'string' },
   *     { name: 'amount', type: 'long' },
   *     { name: 'note', type: ['null', 'string'], default: null },
   *   ],
   * };
   * const registry = confluentSchemaRegistry({ host: 'http://localhost:8081' }); // or new InMemorySchemaRegistry()
   * builder
   *   .stream('orders', { key: Serdes.string(), value: Serdes.avro<Order>({ registry, schema: orderSchema }) })
   *   .mapValues((order) => order.amount)
   *   .to('amounts', { value: Serdes.long() });
   */
  avro: <T>(options: AvroSerdeOptions): PreparedSerde<T> => avroSerde<T>(options, false),
  /**
   * Avro keys: like {@link Serdes.avro}, with schemas under `<topic>-key`.
   *
   * @example
   * const key = Serdes.avroKey<CustomerId>({ registry, schema: customerIdSchema });
   * builder.stream('customers', { key, value: Serdes.avro<Customer>({ registry, schema: customerSchema }) });
   */
  avroKey: <T>(options: AvroSerdeOptions): PreparedSerde<T> => avroSerde<T>(options, true),
});
