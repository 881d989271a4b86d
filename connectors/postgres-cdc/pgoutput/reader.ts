/** Big-endian cursor over one pgoutput message (PG "Logical Replication Message Formats"). */
import { CdcProtocolError } from '../errors.js';

export class ByteReader {
  private pos: number;
  constructor(private readonly buf: Buffer, offset = 0) {
    this.pos = offset;
  }
  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new CdcProtocolError(`pgoutput message truncated: need ${n} bytes at offset ${this.pos}, have ${this.buf.length - this.pos}`, {
        context: { offset: this.pos },
      });
    }
  }
  uint8(): number {
    this.need(1);
    return this.buf.readUInt8(this.pos++);
  }
  char(): string {
    return String.fromCharCode(this.uint8());
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  /** LSNs are unsigned 64-bit. */
  uint64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  /** NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new CdcProtocolError(`unterminated string at offset ${this.pos}`, { context: { offset: this.pos } });
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

/** PostgreSQL timestamps count microseconds from 2000-01-01; this is that instant in µs since the Unix epoch. */
export const PG_EPOCH_OFFSET_US = 946_684_800_000_000n;

export function pgTimestampToUnixMicros(pgMicros: bigint): bigint {
  return pgMicros + PG_EPOCH_OFFSET_US;
}
