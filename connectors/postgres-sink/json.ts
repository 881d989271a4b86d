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

export function parseJson(text: string): JsonValue {
  if (!LONG_DIGIT_RUN.test(text)) return JSON.parse(text) as JsonValue;
  return parseLossless(text, null, (digits) =>
    isSafeNumber(digits) ? Number(digits) : new LosslessNumber(digits),
  ) as JsonValue;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof LosslessNumber);
}

/** JSON text of a parsed value, with lossless numbers printed exactly as they arrived. */
export function stringifyJson(value: JsonValue): string {
  return stringifyLossless(value) ?? 'null';
}
