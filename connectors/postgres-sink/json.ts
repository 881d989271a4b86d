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

// Strings are matched first so that digits inside them are left alone; what remains are number tokens.
const TOKENS = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
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

export function parseJson(text: string): JsonValue {
  if (!LONG_DIGIT_RUN.test(text)) return JSON.parse(text) as JsonValue;
  if (text.includes(MARK_ESCAPED)) {
    // The text itself spells the marker: take the slow, unambiguous path.
    return parseLossless(text, null, (digits) => (isSafeNumber(digits) ? Number(digits) : new LosslessNumber(digits))) as JsonValue;
  }
  let marked = false;
  const protectedText = text.replace(TOKENS, (token) => {
    if (token.charCodeAt(0) === 34 /* " */ || isSafeNumber(token)) return token;
    marked = true;
    return `"${MARK_ESCAPED}${token}"`;
  });
  const parsed = JSON.parse(protectedText) as JsonValue;
  return marked ? restoreMarked(parsed) : parsed;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof LosslessNumber);
}

/** JSON text of a parsed value, with lossless numbers printed exactly as they arrived. */
export function stringifyJson(value: JsonValue): string {
  return stringifyLossless(value) ?? 'null';
}
