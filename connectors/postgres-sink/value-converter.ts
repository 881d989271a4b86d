import { isUtf8 } from 'node:buffer';
import type { ConnectSchema } from './connect-schema.js';
import { LosslessNumber, type JsonValue } from './json.js';

/**
 * The byte format of a record value, as Kafka Connect's `value.converter` names it. `json` is the JsonConverter
 * (framed or bare); the others are Kafka's primitive serializers, which Tributary's `Serdes.long()`, `Serdes.double()`
 * and so on write: a `count()` result is an 8-byte big-endian long, not JSON text. `avro` is the schema registry's
 * wire format (`Serdes.avro`, Confluent's AvroConverter), read with `value.converter.schema.registry.url`.
 */
export type ValueFormat = 'json' | 'avro' | 'long' | 'integer' | 'short' | 'double' | 'float' | 'string' | 'bytes';

/** Connect's converter class names and the short names a Tributary config may use instead. */
const FORMAT_NAMES: Readonly<Record<string, ValueFormat>> = {
  'org.apache.kafka.connect.json.JsonConverter': 'json',
  'io.confluent.connect.avro.AvroConverter': 'avro',
  'org.apache.kafka.connect.converters.LongConverter': 'long',
  'org.apache.kafka.connect.converters.IntegerConverter': 'integer',
  'org.apache.kafka.connect.converters.ShortConverter': 'short',
  'org.apache.kafka.connect.converters.DoubleConverter': 'double',
  'org.apache.kafka.connect.converters.FloatConverter': 'float',
  'org.apache.kafka.connect.storage.StringConverter': 'string',
  'org.apache.kafka.connect.converters.ByteArrayConverter': 'bytes',
  json: 'json', avro: 'avro', long: 'long', integer: 'integer', int: 'integer', short: 'short',
  double: 'double', float: 'float', string: 'string', bytes: 'bytes',
};

/** The known names, for the config error that lists them. */
export const VALUE_FORMAT_NAMES: readonly string[] = Object.keys(FORMAT_NAMES);

/** `value.converter` text -> format; undefined when the name is not known. */
export function parseValueFormat(name: string): ValueFormat | undefined {
  return Object.hasOwn(FORMAT_NAMES, name) ? FORMAT_NAMES[name] : undefined;
}

/** A primitive value read from its bytes, with the Connect schema that types its column. */
export interface PrimitiveValue {
  readonly schema: ConnectSchema;
  readonly payload: JsonValue;
}

const SIZES: Partial<Record<ValueFormat, number>> = { long: 8, integer: 4, short: 2, double: 8, float: 4 };

/**
 * Reads a value written by a primitive serializer. A wrong length throws with the reason (the record then goes to the
 * dead-letter topic by policy): 3 bytes are no long, and guessing would store a wrong number.
 */
export function decodePrimitive(format: Exclude<ValueFormat, 'json' | 'avro'>, bytes: Buffer): PrimitiveValue {
  const size = SIZES[format];
  if (size !== undefined && bytes.length !== size) {
    throw new Error(`value.converter=${format} expects ${size} bytes, the value has ${bytes.length}`);
  }
  switch (format) {
    // int64 stays exact: beyond 2^53 a JS number would round
    case 'long': return { schema: { type: 'int64', optional: true }, payload: new LosslessNumber(bytes.readBigInt64BE(0).toString()) };
    case 'integer': return { schema: { type: 'int32', optional: true }, payload: bytes.readInt32BE(0) };
    case 'short': return { schema: { type: 'int16', optional: true }, payload: bytes.readInt16BE(0) };
    case 'double': return { schema: { type: 'double', optional: true }, payload: nonFinite(bytes.readDoubleBE(0)) };
    case 'float': return { schema: { type: 'float', optional: true }, payload: nonFinite(bytes.readFloatBE(0)) };
    case 'string':
      if (!isUtf8(bytes)) throw new Error('value.converter=string: the value is not valid UTF-8');
      return { schema: { type: 'string', optional: true }, payload: bytes.toString('utf8') };
    case 'bytes': return { schema: { type: 'bytes', optional: true }, payload: bytes.toString('base64') };
  }
}

/** NaN and infinities travel as the text PostgreSQL's float8 input accepts (as decodeValue expects them). */
function nonFinite(n: number): JsonValue {
  return Number.isFinite(n) ? n : String(n);
}
