import { asConnectSchema, type ConnectSchema } from './connect-schema.js';
import { isJsonObject, parseJson, type JsonValue } from './json.js';

/** A JsonConverter text taken apart: its validated schema (shared between records) and its parsed payload. */
export interface FramedJson {
  readonly schema: ConnectSchema;
  readonly payload: JsonValue;
}

const HEAD = '{"schema":';
const PAYLOAD = ',"payload":';
const MAX_SCHEMAS = 256;

/**
 * Recognises JsonConverter texts `{"schema":S,"payload":P}` whose schema text S was seen before, and then
 * parses only P. A change event's schema is most of its text and the same in every event of a table, so this
 * skips most of the parsing and the schema validation of each record.
 *
 * A text matches only when it starts with exactly `{"schema":S,"payload":` of a known S (which was validated
 * when first seen) and the rest is one JSON value and a closing brace, so the result is the one a full parse
 * would give. Anything else (other spacing, key order, a new schema) returns undefined: the caller parses the
 * whole text and may `remember` its schema.
 *
 * @example
 * const schemas = new FramedJsonCache();
 * const fast = schemas.parse(text);            // undefined the first time
 * if (fast === undefined) schemas.remember(text, parsed['schema'], connectSchema);
 */
export class FramedJsonCache {
  // Keyed by the schema text's length first: a lookup compares only prefixes of candidates of that length.
  readonly #byLength = new Map<number, { prefix: string; schema: ConnectSchema }[]>();
  #size = 0;

  parse(text: string): FramedJson | undefined {
    if (!text.startsWith(HEAD) || text.charCodeAt(text.length - 1) !== 125 /* } */) return undefined;
    const at = text.indexOf(PAYLOAD);
    // The schema text ends at some ',"payload":'; the first such index is a lower bound of its end.
    if (at < 0) return undefined;
    for (const [length, entries] of this.#byLength) {
      if (length + PAYLOAD.length > text.length || length < at) continue;
      for (const entry of entries) {
        if (!text.startsWith(entry.prefix)) continue;
        let payload: JsonValue;
        try {
          payload = parseJson(text.slice(entry.prefix.length, -1));
        } catch {
          return undefined;
        }
        return { schema: entry.schema, payload };
      }
    }
    return undefined;
  }

  /** Records the schema of a text that a full parse found to be `{"schema": rawSchema, "payload": ...}`. */
  remember(text: string, rawSchema: JsonValue, schema: ConnectSchema): void {
    const prefix = `${HEAD}${JSON.stringify(rawSchema)}${PAYLOAD}`;
    // The re-serialized schema equals the text's only when the producer wrote it compactly, as JsonConverter does.
    if (!text.startsWith(prefix)) return;
    if (this.#size >= MAX_SCHEMAS) {
      this.#byLength.clear();
      this.#size = 0;
    }
    const length = prefix.length - PAYLOAD.length;
    const entries = this.#byLength.get(length) ?? [];
    if (entries.some((e) => e.prefix === prefix)) return;
    entries.push({ prefix, schema });
    this.#byLength.set(length, entries);
    this.#size++;
  }
}

/** Parses a JsonConverter text, through `cache` when its schema is known; returns the whole value otherwise. */
export function parseConverterText(text: string, cache: FramedJsonCache): FramedJson | { readonly value: JsonValue } {
  const fast = cache.parse(text);
  if (fast !== undefined) return fast;
  const value = parseJson(text);
  if (isJsonObject(value) && Object.keys(value).length === 2 && 'payload' in value && isJsonObject(value['schema'])) {
    const schema = asConnectSchema(value['schema']);
    if (typeof schema !== 'string') cache.remember(text, value['schema'], schema);
  }
  return { value };
}
