/**
 * Kafka Connect data model as Debezium emits it: schemas and values.
 * int64 values are always `bigint` and bytes are `Uint8Array`, so nothing passes through a lossy JS number.
 */
export type ConnectType =
  | 'boolean' | 'int8' | 'int16' | 'int32' | 'int64' | 'float' | 'double' | 'bytes' | 'string' | 'array' | 'map' | 'struct';

export interface ConnectField {
  readonly name: string;
  readonly schema: ConnectSchema;
}

export interface ConnectSchema {
  readonly type: ConnectType;
  readonly optional: boolean;
  readonly name?: string;
  readonly version?: number;
  readonly doc?: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly default?: ConnectValue;
  readonly fields?: readonly ConnectField[];
  readonly items?: ConnectSchema;
  readonly keys?: ConnectSchema;
  readonly values?: ConnectSchema;
}

/** A struct value: field name -> value. Missing fields count as null. */
export type ConnectStruct = { readonly [field: string]: ConnectValue };

export type ConnectValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly ConnectValue[]
  | ReadonlyMap<string, ConnectValue>
  | ConnectStruct;

export function struct(
  name: string | undefined,
  fields: readonly ConnectField[],
  opts: { optional?: boolean; version?: number; doc?: string } = {},
): ConnectSchema {
  return {
    type: 'struct',
    fields,
    optional: opts.optional ?? false,
    ...(name !== undefined ? { name } : {}),
    ...(opts.version !== undefined ? { version: opts.version } : {}),
    ...(opts.doc !== undefined ? { doc: opts.doc } : {}),
  };
}

export function field(name: string, schema: ConnectSchema): ConnectField {
  return { name, schema };
}

export function prim(type: ConnectType, optional: boolean, extra: Partial<ConnectSchema> = {}): ConnectSchema {
  return { type, optional, ...extra };
}

/** Same schema with a different optionality (used for key/value reuse and array elements). */
export function withOptional(schema: ConnectSchema, optional: boolean): ConnectSchema {
  return { ...schema, optional };
}
