/**
 * Confluent's wire format of a registry-backed record: magic byte 0, the writer schema's id as a 4-byte
 * big-endian integer, then the Avro binary encoding of the value.
 */
export const MAGIC_BYTE = 0;
export const HEADER_LENGTH = 5;

/** Frames an Avro body with the magic byte and the schema id. */
export function frame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
  out[0] = MAGIC_BYTE;
  out.writeUInt32BE(schemaId, 1);
  body.copy(out, HEADER_LENGTH);
  return out;
}

/** The writer schema id of a framed payload, or undefined when the bytes are not in the wire format. */
export function schemaIdOf(bytes: Buffer): number | undefined {
  return bytes.length >= HEADER_LENGTH && bytes[0] === MAGIC_BYTE ? bytes.readUInt32BE(1) : undefined;
}

/** The Avro body of a framed payload (no copy). */
export function bodyOf(bytes: Buffer): Buffer {
  return bytes.subarray(HEADER_LENGTH);
}
