/**
 * Kafka's TxnOffsetCommit request and response at version 3 (KIP-447), the first version that carries the
 * consumer group's generation, member id and group instance id. With them the group coordinator rejects
 * offsets sent in a transaction by a member whose generation is gone (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
 * FENCED_INSTANCE_ID): the fence that keeps a stalled instance from committing a transaction for partitions
 * that were given to another instance. kafkajs 2.2.4 implements only versions 0 and 1; kafkajs-compat.ts
 * plugs this codec into it.
 *
 * Version 3 is a flexible version: strings and arrays are compact (length + 1 as an unsigned varint, 0 for
 * null), every structure ends with tagged fields (none are sent; those received are skipped), the request
 * header gains tagged fields after the client id and the response header after the correlation id.
 */

import { StreamsError, type StreamsErrorOptions } from '../errors.js';

/** The consumer group generation a transactional offset commit is made in. */
export interface TxnOffsetCommitGroupMetadata {
  readonly generationId: number;
  readonly memberId: string;
  /** Static membership id; absent for dynamic members. */
  readonly groupInstanceId?: string | undefined;
}

export interface TxnOffsetCommitV3Partition {
  readonly partition: number;
  readonly offset: bigint | number | string;
  /** Leader epoch of the last consumed record; -1 (unknown) when absent. */
  readonly leaderEpoch?: number;
  readonly metadata?: string | null;
}

export interface TxnOffsetCommitV3Request extends TxnOffsetCommitGroupMetadata {
  readonly transactionalId: string;
  readonly groupId: string;
  readonly producerId: bigint | number | string;
  readonly producerEpoch: number;
  readonly topics: readonly { readonly topic: string; readonly partitions: readonly TxnOffsetCommitV3Partition[] }[];
}

export interface TxnOffsetCommitV3Response {
  readonly throttleTimeMs: number;
  readonly topics: { topic: string; partitions: { partition: number; errorCode: number }[] }[];
}

/** TxnOffsetCommit's API key. */
export const TXN_OFFSET_COMMIT_API_KEY = 28;

class Writer {
  readonly #chunks: Buffer[] = [];

  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    return this.#push(b);
  }

  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    return this.#push(b);
  }

  int64(value: bigint | number | string): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(value));
    return this.#push(b);
  }

  uvarint(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`unsigned varint out of range: ${value}`);
    const bytes: number[] = [];
    let rest = value;
    while (rest > 0x7f) {
      bytes.push((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 128);
    }
    bytes.push(rest);
    return this.#push(Buffer.from(bytes));
  }

  compactString(value: string | null | undefined): this {
    if (value === null || value === undefined) return this.uvarint(0);
    const bytes = Buffer.from(value, 'utf8');
    return this.uvarint(bytes.length + 1).#push(bytes);
  }

  compactArray<T>(items: readonly T[], write: (writer: this, item: T) => void): this {
    this.uvarint(items.length + 1);
    for (const item of items) write(this, item);
    return this;
  }

  /** An empty tagged-field section. */
  noTags(): this {
    return this.uvarint(0);
  }

  bytes(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  #push(b: Buffer): this {
    this.#chunks.push(b);
    return this;
  }
}

/** The body of a TxnOffsetCommit v3 request (what follows the request header). */
export function encodeTxnOffsetCommitV3(request: TxnOffsetCommitV3Request): Buffer {
  return new Writer()
    .compactString(request.transactionalId)
    .compactString(request.groupId)
    .int64(request.producerId)
    .int16(request.producerEpoch)
    .int32(request.generationId)
    .compactString(request.memberId)
    .compactString(request.groupInstanceId ?? null)
    .compactArray(request.topics, (w, t) =>
      w
        .compactString(t.topic)
        .compactArray(t.partitions, (pw, p) =>
          pw
            .int32(p.partition)
            .int64(p.offset)
            .int32(p.leaderEpoch ?? -1)
            .compactString(p.metadata ?? null)
            .noTags(),
        )
        .noTags(),
    )
    .noTags()
    .bytes();
}

/** The request header's tagged fields (header version 2 = version 1 + tagged fields), none sent. */
export const REQUEST_HEADER_TAGGED_FIELDS: Buffer = Buffer.from([0]);

/** A response the decoder cannot read. Not retriable: the broker would answer the same way again. */
export class MalformedResponseError extends StreamsError {
  constructor(message: string, options: Omit<StreamsErrorOptions, 'retriable'> = {}) {
    super(`malformed TxnOffsetCommit v3 response: ${message}`, { ...options, retriable: false });
  }
}

class Reader {
  #offset = 0;
  readonly buffer: Buffer;

  constructor(buffer: Buffer) {
    this.buffer = buffer;
  }

  #need(n: number): void {
    if (this.#offset + n > this.buffer.length) throw new MalformedResponseError(`needs ${n} bytes at ${this.#offset}, has ${this.buffer.length - this.#offset}`);
  }

  int16(): number {
    this.#need(2);
    const v = this.buffer.readInt16BE(this.#offset);
    this.#offset += 2;
    return v;
  }

  int32(): number {
    this.#need(4);
    const v = this.buffer.readInt32BE(this.#offset);
    this.#offset += 4;
    return v;
  }

  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.#need(1);
      const byte = this.buffer[this.#offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new MalformedResponseError('unsigned varint longer than 5 bytes');
  }

  compactString(): string | null {
    const length = this.uvarint();
    if (length === 0) return null;
    this.#need(length - 1);
    const s = this.buffer.toString('utf8', this.#offset, this.#offset + length - 1);
    this.#offset += length - 1;
    return s;
  }

  compactArray<T>(read: (reader: this) => T): T[] {
    const length = this.uvarint();
    if (length === 0) return [];
    const items: T[] = [];
    for (let i = 0; i < length - 1; i++) items.push(read(this));
    return items;
  }

  /** Skips a tagged-field section (no TxnOffsetCommit v3 field is tagged). */
  skipTags(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      const size = this.uvarint();
      this.#need(size);
      this.#offset += size;
    }
  }

  get remaining(): number {
    return this.buffer.length - this.#offset;
  }
}

/**
 * Decodes a TxnOffsetCommit v3 response from what follows its correlation id: the response header's tagged
 * fields, then the body.
 */
export function decodeTxnOffsetCommitV3Response(payload: Buffer): TxnOffsetCommitV3Response {
  const r = new Reader(payload);
  r.skipTags();
  const throttleTimeMs = r.int32();
  const topics = r.compactArray((tr) => {
    const topic = tr.compactString();
    if (topic === null) throw new MalformedResponseError('null topic name');
    const partitions = tr.compactArray((pr) => {
      const partition = pr.int32();
      const errorCode = pr.int16();
      pr.skipTags();
      return { partition, errorCode };
    });
    tr.skipTags();
    return { topic, partitions };
  });
  r.skipTags();
  if (r.remaining !== 0) throw new MalformedResponseError(`${r.remaining} bytes after the response`);
  return { throttleTimeMs, topics };
}

/** The partitions the coordinator refused, in response order. */
export function failedPartitions(response: TxnOffsetCommitV3Response): { topic: string; partition: number; errorCode: number }[] {
  const failed: { topic: string; partition: number; errorCode: number }[] = [];
  for (const t of response.topics) for (const p of t.partitions) if (p.errorCode !== 0) failed.push({ topic: t.topic, partition: p.partition, errorCode: p.errorCode });
  return failed;
}
