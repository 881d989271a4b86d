/**
 * Exact decimals: PostgreSQL numeric text -> unscaled BigInt + scale -> Kafka Connect Decimal bytes
 * (big-endian two's complement, minimal length, as Java's BigInteger.toByteArray).
 */
import { CdcDataError } from '../errors.js';

export interface ExactDecimal {
  readonly unscaled: bigint;
  readonly scale: number;
}

export function parseDecimal(text: string): ExactDecimal {
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new CdcDataError(`not a decimal number: '${text}'`, { context: { value: text } });
  const frac = m[3] ?? '';
  const digits = `${m[2] ?? ''}${frac}` || '0';
  const unscaled = BigInt(digits);
  return { unscaled: m[1] === '-' ? -unscaled : unscaled, scale: frac.length };
}

/** Rescales to `scale`, rounding half-up (PostgreSQL already rounds to the column scale, so this normally pads). */
export function rescale(d: ExactDecimal, scale: number): ExactDecimal {
  if (scale === d.scale) return d;
  if (scale > d.scale) return { unscaled: d.unscaled * 10n ** BigInt(scale - d.scale), scale };
  const div = 10n ** BigInt(d.scale - scale);
  const q = d.unscaled / div;
  const r = d.unscaled % div;
  const abs = r < 0n ? -r : r;
  const bump = abs * 2n >= div ? (d.unscaled < 0n ? -1n : 1n) : 0n;
  return { unscaled: q + bump, scale };
}

/** Java BigDecimal.stripTrailingZeros: zero becomes scale 0; the scale may turn negative. */
export function stripTrailingZeros(d: ExactDecimal): ExactDecimal {
  if (d.unscaled === 0n) return { unscaled: 0n, scale: 0 };
  let { unscaled, scale } = d;
  while (unscaled % 10n === 0n) {
    unscaled /= 10n;
    scale -= 1;
  }
  return { unscaled, scale };
}

export function twosComplementBytes(value: bigint): Uint8Array {
  let len = 1;
  while (value < -(1n << BigInt(8 * len - 1)) || value >= 1n << BigInt(8 * len - 1)) len++;
  const out = new Uint8Array(len);
  let v = value < 0n ? (1n << BigInt(8 * len)) + value : value;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Plain text of a decimal (Java BigDecimal.toPlainString). */
export function toPlainString(d: ExactDecimal): string {
  const neg = d.unscaled < 0n;
  let digits = (neg ? -d.unscaled : d.unscaled).toString();
  if (d.scale <= 0) return `${neg ? '-' : ''}${digits}${'0'.repeat(-d.scale)}`;
  digits = digits.padStart(d.scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}`;
}
