import type { Agent } from 'node:http';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { StreamsError } from '../../errors.js';

/**
 * What Avro serdes need from a Confluent-compatible schema registry. Schemas travel as Avro schema JSON text.
 * {@link confluentSchemaRegistry} talks to a server over HTTP; {@link InMemorySchemaRegistry} answers from
 * memory (tests, TopologyTestDriver) and offers {@link SchemaRegistryClient.sync} answers too.
 */
export interface SchemaRegistryClient {
  /** Registers `schema` under `subject` (or finds it there) and resolves to its id. */
  register(subject: string, schema: string): Promise<number>;
  /** The id of `schema` under `subject`, or undefined when the subject does not hold it. */
  lookup(subject: string, schema: string): Promise<number | undefined>;
  /** The Avro schema with this id, or undefined when the registry has no Avro schema with this id. */
  schemaById(id: number): Promise<string | undefined>;
  /** The latest version of a subject, or undefined when the subject does not exist (or is not Avro). */
  latest(subject: string): Promise<{ readonly id: number; readonly schema: string } | undefined>;
  /**
   * Synchronous answers from a registry that holds everything in memory. Serdes use them on a cache miss,
   * so topologies run on such a registry without any preparation (e.g. in the TopologyTestDriver).
   */
  readonly sync?: {
    register(subject: string, schema: string): number;
    lookup(subject: string, schema: string): number | undefined;
    schemaById(id: number): string | undefined;
  };
}

/** A schema registry request failed; `retriable` when the server could not be reached or answered 5xx. */
export class SchemaRegistryError extends StreamsError {}

/**
 * Options of {@link confluentSchemaRegistry}: the host and, optionally, auth, retry and agent of the HTTP client.
 * Declared here rather than taken from `@kafkajs/confluent-schema-registry`, whose types pull in its HTTP
 * library's browser types (`XMLHttpRequest`): a user's strict `tsc` without the DOM library would fail on them.
 */
export interface ConfluentSchemaRegistryOptions {
  /** Base URL of the registry, e.g. `http://localhost:8081`. */
  readonly host: string;
  /** HTTP basic authentication. */
  readonly auth?: { readonly username: string; readonly password: string };
  readonly clientId?: string;
  /** Retries of failed requests; the client's defaults (5 retries, 1 s initial, 5 s max) for what is not given. */
  readonly retry?: {
    readonly retries?: number;
    readonly initialRetryTimeInSecs?: number;
    readonly maxRetryTimeInSecs?: number;
    readonly factor?: number;
    readonly multiplier?: number;
  };
  /** HTTP(S) agent of the requests: TLS options, keep-alive. */
  readonly agent?: Agent;
}

/**
 * A {@link SchemaRegistryClient} for a Confluent Schema Registry (or a server with its API, such as Apicurio's
 * `/apis/ccompat/v7`), built on `@kafkajs/confluent-schema-registry`.
 *
 * @example
 * const registry = confluentSchemaRegistry({ host: 'http://localhost:8081' });
 * const orders = Serdes.avro<Order>({ registry, schema: orderSchema });
 */
export function confluentSchemaRegistry(options: ConfluentSchemaRegistryOptions): SchemaRegistryClient {
  const client = new SchemaRegistry(options);
  return Object.freeze({
    register: (subject: string, schema: string) =>
      request(`register a schema under subject ${subject}`, async () => (await client.register({ type: SchemaType.AVRO, schema }, { subject })).id),
    lookup: (subject: string, schema: string) =>
      request(`look up a schema under subject ${subject}`, () => client.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema }), undefined),
    schemaById: (id: number) =>
      request(`fetch schema ${id}`, async () => schemaText(await client.getSchema(id)), undefined),
    latest: (subject: string) =>
      request(`fetch the latest schema of subject ${subject}`, async () => {
        const id = await client.getLatestSchemaId(subject);
        const schema = schemaText(await client.getSchema(id));
        return schema === undefined ? undefined : { id, schema };
      }, undefined),
  });
}

async function request<T, M = never>(what: string, call: () => Promise<T>, ...notFound: [M] | []): Promise<T | M> {
  try {
    return await call();
  } catch (cause) {
    const status = statusOf(cause);
    if (notFound.length === 1 && (status === 404 || isWrappedNotFound(cause))) return notFound[0];
    const message = cause instanceof Error ? cause.message : String(cause);
    const retriable = status === undefined || status >= 500 || isNetworkFailure(status, message);
    throw new SchemaRegistryError(`cannot ${what}: ${message}`, { cause, retriable, context: { status } });
  }
}

/** The client rethrows a lookup's 404 as a bare ConfluentSchemaRegistryError, without the status. */
function isWrappedNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConfluentSchemaRegistryError';
}

/** The client's HTTP layer reports a failed connection as status 400 with the socket error's code in the message. */
function isNetworkFailure(status: number | undefined, message: string): boolean {
  return status === 400 && /\b(ECONN[A-Z]+|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE)\b|socket hang up/.test(message);
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The library parses Avro schemas into avsc types; serdes want the JSON text back. A Protobuf or JSON Schema
 * id is no Avro schema: undefined, so a record written with it fails alone (and its error policy applies).
 */
function schemaText(schema: unknown): string | undefined {
  const avro = schema as { schema?: unknown };
  return typeof avro.schema === 'function' ? JSON.stringify((avro.schema as () => unknown).call(schema)) : undefined;
}
