/**
 * A small HyperLogLog distinct-count sketch (Flajolet et al. 2007) with linear counting for small
 * cardinalities. Immutable and JSON-friendly (registers travel as base64), so it can live inside a
 * windowed aggregate that is serialized to a changelog. 2^precision registers; standard error
 * ≈ 1.04 / sqrt(2^precision) (precision 10: ~3.3%).
 *
 * @example
 * let users = HyperLogLog.empty();
 * users = users.add('alice').add('bob').add('alice');
 * users.estimate();             // 2
 */
export class HyperLogLog {
  private constructor(
    readonly precision: number,
    private readonly registers: Uint8Array,
  ) {}

  static empty(precision = 10): HyperLogLog {
    if (!Number.isInteger(precision) || precision < 4 || precision > 16) throw new RangeError(`HyperLogLog precision must be an integer in [4, 16], got ${precision}`);
    return new HyperLogLog(precision, new Uint8Array(1 << precision));
  }

  /** A sketch that also counts `item`. */
  add(item: string): HyperLogLog {
    const hash = murmur3(item);
    const p = this.precision;
    const index = hash >>> (32 - p);
    const rest = (hash << p) | (1 << (p - 1)); // sentinel bit bounds the rank
    const rank = Math.clz32(rest) + 1;
    if (this.registers[index]! >= rank) return this;
    const registers = this.registers.slice();
    registers[index] = rank;
    return new HyperLogLog(p, registers);
  }

  /** The union of two sketches of equal precision. */
  merge(other: HyperLogLog): HyperLogLog {
    if (other.precision !== this.precision) throw new RangeError(`cannot merge HyperLogLog sketches of precision ${this.precision} and ${other.precision}`);
    const registers = this.registers.slice();
    for (let i = 0; i < registers.length; i++) registers[i] = Math.max(registers[i]!, other.registers[i]!);
    return new HyperLogLog(this.precision, registers);
  }

  /** Estimated number of distinct items added. */
  estimate(): number {
    const m = this.registers.length;
    let sum = 0;
    let zeros = 0;
    for (const r of this.registers) {
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = m === 16 ? 0.673 : m === 32 ? 0.697 : m === 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    return Math.round(raw);
  }

  toJSON(): { precision: number; registers: string } {
    return { precision: this.precision, registers: Buffer.from(this.registers).toString('base64') };
  }

  static fromJSON(json: { precision: number; registers: string }): HyperLogLog {
    const registers = new Uint8Array(Buffer.from(json.registers, 'base64'));
    if (registers.length !== 1 << json.precision) throw new RangeError(`HyperLogLog of precision ${json.precision} needs ${1 << json.precision} registers, got ${registers.length}`);
    return new HyperLogLog(json.precision, registers);
  }
}

/** MurmurHash3 x86 32-bit of the UTF-8 bytes of `text` (seed 0). */
export function murmur3(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  let h = 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const blocks = bytes.length >>> 2;
  for (let i = 0; i < blocks; i++) {
    let k = bytes.readUInt32LE(i * 4);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= bytes[tail + 2]! << 16;
    if (rest >= 2) k ^= bytes[tail + 1]! << 8;
    k ^= bytes[tail]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
