/** PostgreSQL LSNs as exact 64-bit integers; the text form is `HI/LO` in hex. */
import { CdcProtocolError } from './errors.js';

export function parseLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) throw new CdcProtocolError(`not an LSN: '${text}'`, { context: { lsn: text } });
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}
