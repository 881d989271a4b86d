import { LosslessNumber, isSafeNumber, parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';

export { LosslessNumber };

/**
 * A number that a JS double cannot hold exactly (int64 column values, microsecond timestamps past 2255,
 * NUMERIC decimals written as JSON numbers) is kept as its source text in a LosslessNumber.
 */
export type JsonValue = null | boolean | number | string | LosslessNumber | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

// Only a run of 16+ digits can exceed a double's 15-16 significant digits, so the slower lossless
// parser runs only on texts that contain one.
const LONG_DIGIT_RUN = /\d{16,}/;

// Every number token; whether it sits inside a string is decided by scanning quotes between matches,
// which is far cheaper than matching every string of the text.
const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
// A number the native parser would round travels through it as a string with this prefix.
const MARK = '\u0000#';
const MARK_ESCAPED = '\\u0000#';

function restoreMarked(value: JsonValue): JsonValue {
  if (typeof value === 'string') return value.startsWith(MARK) ? new LosslessNumber(value.slice(MARK.length)) : value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = restoreMarked(value[i]!);
    return value;
  }
  if (isJsonObject(value)) {
    for (const key of Object.keys(value)) value[key] = restoreMarked(value[key]!);
  }
  return value;
}

/** The text with every number a double would round turned into a marked string, or undefined if there is none. */
function markUnsafeNumbers(text: string): string | undefined {
  let out = '';
  let copied = 0;
  let scanned = 0;
  let inString = false;
  NUMBER_TOKEN.lastIndex = 0;
  for (let m = NUMBER_TOKEN.exec(text); m !== null; m = NUMBER_TOKEN.exec(text)) {
    for (let i = scanned; i < m.index; i++) {
      const c = text.charCodeAt(i);
      if (c === 92 /* backslash */ && inString) i++;
      else if (c === 34 /* quote */) inString = !inString;
    }
    scanned = m.index + m[0].length;
    const token = m[0];
    if (inString || token.replace(/[^0-9]/g, '').length < 16 || isSafeNumber(token)) continue;
    out += `${text.slice(copied, m.index)}"${MARK_ESCAPED}${token}"`;
    copied = scanned;
  }
  return copied === 0 ? undefined : out + text.slice(copied);
}

export function parseJson(text: string): JsonValue {
  if (!LONG_DIGIT_RUN.test(text)) return JSON.parse(text) as JsonValue;
  if (text.includes(MARK_ESCAPED)) {
    // The text itself spells the marker: take the slow, unambiguous path.
    return parseLossless(text, null, (digits) => (isSafeNumber(digits) ? Number(digits) : new LosslessNumber(digits))) as JsonValue;
  }
  const marked = markUnsafeNumbers(text);
  if (marked === undefined) return JSON.parse(text) as JsonValue;
  return restoreMarked(JSON.parse(marked) as JsonValue);
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof LosslessNumber);
}

/** JSON text of a parsed value, with lossless numbers printed exactly as they arrived. */
export function stringifyJson(value: JsonValue): string {
  return stringifyLossless(value) ?? 'null';
}
