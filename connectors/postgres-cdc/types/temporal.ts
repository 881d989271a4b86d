/**
 * Parsing of PostgreSQL's ISO text output for dates and times (DateStyle ISO, TimeZone UTC, IntervalStyle iso_8601)
 * into exact integer micro/milli-second counts, and the ISO-8601 strings Debezium's ZonedTimestamp/ZonedTime print.
 */
import { CdcDataError } from '../errors.js';

const US_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: era * 400 + yoe + (month <= 2 ? 1 : 0), month, day };
}

const DATE_RE = /^(\d{4,})-(\d{2})-(\d{2})/;

function parseDatePart(text: string): { days: number; rest: string } {
  const m = DATE_RE.exec(text);
  if (!m) throw new CdcDataError(`not a PostgreSQL ISO date: '${text}'`, { context: { value: text } });
  let year = Number(m[1]);
  let rest = text.slice(m[0].length);
  if (rest.endsWith(' BC')) {
    year = 1 - year;
    rest = rest.slice(0, -3);
  }
  return { days: daysFromCivil(year, Number(m[2]), Number(m[3])), rest };
}

/** Days since epoch; PostgreSQL's ±infinity map to the int32 extremes. */
export function parseDateDays(text: string): number {
  if (text === 'infinity') return 2147483647;
  if (text === '-infinity') return -2147483648;
  return parseDatePart(text).days;
}

const TIME_RE = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/;

/** Microseconds of day from `HH:MM:SS[.ffffff]` (24:00:00 allowed) and the unparsed remainder (zone). */
export function parseTimeOfDay(text: string): { micros: bigint; rest: string } {
  const m = TIME_RE.exec(text);
  if (!m) throw new CdcDataError(`not a PostgreSQL time: '${text}'`, { context: { value: text } });
  const frac = (m[4] ?? '').padEnd(6, '0');
  const micros = ((BigInt(m[1]!) * 60n + BigInt(m[2]!)) * 60n + BigInt(m[3]!)) * 1_000_000n + BigInt(frac);
  return { micros, rest: text.slice(m[0].length) };
}

/** Zone suffix `+HH[:MM[:SS]]` in seconds east of UTC. */
export function parseZoneOffsetSeconds(zone: string): number {
  if (zone === '' || zone === 'Z') return 0;
  const m = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(zone);
  if (!m) throw new CdcDataError(`not a UTC offset: '${zone}'`, { context: { value: zone } });
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -secs : secs;
}

/** Microseconds since epoch of a `timestamp` (no zone: the wall time is taken as UTC, like Debezium). */
export function parseTimestampMicros(text: string): bigint {
  const { days, rest } = parseDatePart(text);
  const t = parseTimeOfDay(rest.trimStart());
  return BigInt(days) * US_PER_DAY + t.micros;
}

/** Microseconds since epoch of a `timestamptz` text such as `2016-11-04 13:51:30.123456+02`. */
export function parseTimestamptzMicros(text: string): bigint {
  let body = text;
  let bc = false;
  if (body.endsWith(' BC')) {
    bc = true;
    body = body.slice(0, -3);
  }
  const m = /^(\d{4,})-(\d{2})-(\d{2}) (.*)$/.exec(body);
  if (!m) throw new CdcDataError(`not a PostgreSQL timestamptz: '${text}'`, { context: { value: text } });
  const year = bc ? 1 - Number(m[1]) : Number(m[1]);
  const days = daysFromCivil(year, Number(m[2]), Number(m[3]));
  const t = parseTimeOfDay(m[4]!);
  const offset = parseZoneOffsetSeconds(t.rest);
  return BigInt(days) * US_PER_DAY + t.micros - BigInt(offset) * 1_000_000n;
}

export const TIMESTAMP_POSITIVE_INFINITY = 9223372036825200000n;
export const TIMESTAMP_NEGATIVE_INFINITY = -9223372036832400000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

export function microsToMillis(micros: bigint): bigint {
  return floorDiv(micros, 1000n);
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

function formatYear(year: number): string {
  if (year > 9999) return `+${year}`;
  if (year < 0) return `-${pad(-year, 4)}`;
  return pad(year, 4);
}

/** `YYYY-MM-DDTHH:MM:SS[.f{digits}]Z` as Debezium's ZonedTimestamp (fraction padded to the column precision). */
export function formatZonedTimestamp(micros: bigint, fractionDigits: number): string {
  const days = floorDiv(micros, US_PER_DAY);
  const tod = micros - days * US_PER_DAY;
  const { year, month, day } = civilFromDays(Number(days));
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}T${formatTime(tod, fractionDigits)}Z`;
}

function formatTime(todMicros: bigint, fractionDigits: number): string {
  const totalSecs = Number(todMicros / 1_000_000n);
  const frac = Number(todMicros % 1_000_000n);
  const base = `${pad(Math.floor(totalSecs / 3600), 2)}:${pad(Math.floor(totalSecs / 60) % 60, 2)}:${pad(totalSecs % 60, 2)}`;
  if (fractionDigits <= 0) return base;
  return `${base}.${pad(frac, 6).slice(0, Math.min(6, fractionDigits)).padEnd(fractionDigits, '0')}`;
}

/** Debezium's ZonedTime: the time moved to UTC, ISO_OFFSET_TIME with only the significant fraction digits. */
export function formatZonedTime(text: string): string {
  const t = parseTimeOfDay(text);
  const offset = parseZoneOffsetSeconds(t.rest);
  let utc = (t.micros - BigInt(offset) * 1_000_000n) % US_PER_DAY;
  if (utc < 0n) utc += US_PER_DAY;
  const frac = Number(utc % 1_000_000n);
  const totalSecs = Number(utc / 1_000_000n);
  let out = `${pad(Math.floor(totalSecs / 3600), 2)}:${pad(Math.floor(totalSecs / 60) % 60, 2)}:${pad(totalSecs % 60, 2)}`;
  if (frac !== 0) out += `.${pad(frac, 6).replace(/0+$/, '')}`;
  return `${out}Z`;
}

/** Months averaged as 365.25/12 days, as Debezium's MicroDuration. 30.4375 days = 2 629 800 000 000 µs exactly. */
const US_PER_AVG_MONTH = 2_629_800_000_000n;

/** Parses an IntervalStyle iso_8601 interval (`P1Y2M3DT4H5M6.78S`, negatives per component) into µs. */
export function parseIntervalMicros(text: string): bigint {
  const m = /^P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)W)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+)(?:\.(\d+))?S)?)?$/.exec(text);
  if (!m) throw new CdcDataError(`not an ISO-8601 interval: '${text}'`, { context: { value: text } });
  const n = (s: string | undefined): bigint => (s === undefined ? 0n : BigInt(s));
  const months = n(m[1]) * 12n + n(m[2]);
  const days = n(m[3]) * 7n + n(m[4]);
  const secWhole = n(m[7]);
  const negSec = (m[7] ?? '').startsWith('-');
  const fracUs = BigInt((m[8] ?? '').padEnd(6, '0').slice(0, 6) || '0');
  const secUs = secWhole * 1_000_000n + (negSec ? -fracUs : fracUs);
  return months * US_PER_AVG_MONTH + days * US_PER_DAY + n(m[5]) * 3_600_000_000n + n(m[6]) * 60_000_000n + secUs;
}
