/**
 * Epoch counts (days, ms, µs, ns) to PostgreSQL input text, exact for the whole range PostgreSQL accepts
 * (BigInt arithmetic; years before 1 are written with BC, as PostgreSQL expects).
 */

const US_PER_DAY = 86_400_000_000n;

// Debezium writes timestamp 'infinity' / '-infinity' as these sentinels (PostgresValueConverter).
const POSITIVE_INFINITY_US = 9223372036825200000n;
const NEGATIVE_INFINITY_US = -9223372036832400000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** Proleptic Gregorian civil date from days since 1970-01-01 (Howard Hinnant's days_from_civil inverse). */
function civilFromDays(days: bigint): { year: bigint; month: number; day: number } {
  const z = days + 719468n;
  const era = floorDiv(z, 146097n);
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = Number(doy - (153n * mp + 2n) / 5n + 1n);
  const month = Number(mp < 10n ? mp + 3n : mp - 9n);
  const year = yoe + era * 400n + (month <= 2 ? 1n : 0n);
  return { year, month, day };
}

const pad = (n: number | bigint, width: number): string => n.toString().padStart(width, '0');

function formatDate(days: bigint): { text: string; bc: boolean } {
  const { year, month, day } = civilFromDays(days);
  const bc = year <= 0n;
  const shownYear = bc ? 1n - year : year;
  return { text: `${pad(shownYear, 4)}-${pad(month, 2)}-${pad(day, 2)}`, bc };
}

/** `io.debezium.time.Date` / Connect `Date`: days since epoch -> `YYYY-MM-DD[ BC]`. */
export function daysToDate(days: bigint): string {
  const { text, bc } = formatDate(days);
  return bc ? `${text} BC` : text;
}

function formatTimeOfDay(us: bigint, fractionDigits: number): string {
  const h = us / 3_600_000_000n;
  const m = (us / 60_000_000n) % 60n;
  const s = (us / 1_000_000n) % 60n;
  const frac = us % 1_000_000n;
  const base = `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`;
  if (fractionDigits === 0) return base;
  return `${base}.${pad(frac, 6).slice(0, fractionDigits)}`;
}

/** Time of day in µs (0..86_400_000_000 inclusive: PostgreSQL's 24:00:00) -> `HH:MM:SS.ffffff`. */
export function microsToTime(us: bigint): string {
  if (us < 0n || us > US_PER_DAY) throw new RangeError(`time of day ${us} µs is outside 0..24:00:00`);
  return formatTimeOfDay(us, 6);
}

/** µs since epoch, read as UTC wall time -> `YYYY-MM-DD HH:MM:SS.ffffff[ BC]` for a `timestamp` column. */
export function microsToTimestamp(us: bigint): string {
  if (us === POSITIVE_INFINITY_US) return 'infinity';
  if (us === NEGATIVE_INFINITY_US) return '-infinity';
  const days = floorDiv(us, US_PER_DAY);
  const { text, bc } = formatDate(days);
  const time = formatTimeOfDay(us - days * US_PER_DAY, 6);
  return bc ? `${text} ${time} BC` : `${text} ${time}`;
}

/** ns since epoch -> timestamp text; PostgreSQL keeps µs, so sub-µs digits are dropped (floor). */
export function nanosToTimestamp(ns: bigint): string {
  return microsToTimestamp(floorDiv(ns, 1000n));
}

/** `io.debezium.time.MicroDuration` (µs, months counted as 30.4375 days) -> interval input text. */
export function microsToInterval(us: bigint): string {
  const negative = us < 0n;
  const abs = negative ? -us : us;
  const seconds = abs / 1_000_000n;
  const frac = abs % 1_000_000n;
  return `${negative ? '-' : ''}${seconds}.${pad(frac, 6)} seconds`;
}

/**
 * `io.debezium.time.ZonedTimestamp` text -> timestamptz input. PostgreSQL reads the ISO form directly
 * except the `+` that marks years past 9999.
 */
export function zonedTimestamp(text: string): string {
  return text.startsWith('+') ? text.slice(1) : text;
}
