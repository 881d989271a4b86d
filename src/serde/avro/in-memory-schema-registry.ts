import avsc from 'avsc';
import type { SchemaRegistryClient } from './schema-registry.js';

/**
 * A schema registry held in memory, like Kafka Streams' `mock://` registry scope: ids are global and start at 1,
 * registering the same schema under a subject again returns its id, and a schema registered under several
 * subjects keeps one id (schemas are compared as avsc normalizes them: docs and
 * whitespace do not matter, defaults do). It answers synchronously as
 * well, so Avro serdes on it need no preparation: use it with the TopologyTestDriver and in unit tests.
 * It checks no compatibility between versions.
 *
 * @example
 * const registry = new InMemorySchemaRegistry();
 * const driver = new TopologyTestDriver(topology);
 * const input = driver.createInputTopic('orders', Serdes.string(), Serdes.avro<Order>({ registry, schema }));
 */
export class InMemorySchemaRegistry implements SchemaRegistryClient {
  readonly #schemas: string[] = [];
  readonly #idsByForm = new Map<string, number>();
  readonly #versions = new Map<string, number[]>();

  readonly sync = Object.freeze({
    register: (subject: string, schema: string): number => this.registerSync(subject, schema),
    lookup: (subject: string, schema: string): number | undefined => this.lookupSync(subject, schema),
    schemaById: (id: number): string | undefined => this.#schemas[id - 1],
  });

  register(subject: string, schema: string): Promise<number> {
    return settle(() => this.registerSync(subject, schema));
  }

  lookup(subject: string, schema: string): Promise<number | undefined> {
    return settle(() => this.lookupSync(subject, schema));
  }

  schemaById(id: number): Promise<string | undefined> {
    return Promise.resolve(this.#schemas[id - 1]);
  }

  latest(subject: string): Promise<{ id: number; schema: string } | undefined> {
    const id = this.#versions.get(subject)?.at(-1);
    return Promise.resolve(id === undefined ? undefined : { id, schema: this.#schemas[id - 1]! });
  }

  /**
   * This registry without its synchronous answers, as a registry across the network behaves: serdes on it
   * depend on `prepare` / `prefetch` the way they do against a real server. For tests of those paths.
   *
   * @example
   * const registry = new InMemorySchemaRegistry();
   * const serde = Serdes.avro<Order>({ registry: registry.asRemote(), schema });
   * await serde.prepare?.('orders'); // without it, serialize() would throw
   */
  asRemote(): SchemaRegistryClient {
    return {
      register: (subject, schema) => this.register(subject, schema),
      lookup: (subject, schema) => this.lookup(subject, schema),
      schemaById: (id) => this.schemaById(id),
      latest: (subject) => this.latest(subject),
    };
  }

  /** Subjects that hold at least one schema, sorted. */
  subjects(): string[] {
    return [...this.#versions.keys()].sort();
  }

  /** Schema ids of a subject's versions, oldest first. */
  versions(subject: string): readonly number[] {
    return this.#versions.get(subject) ?? [];
  }

  /** Registers `schema` (Avro schema JSON) under `subject`; returns its id. Throws on an invalid schema. */
  registerSync(subject: string, schema: string): number {
    const form = normalizedForm(schema);
    let id = this.#idsByForm.get(form);
    if (id === undefined) {
      id = this.#schemas.push(schema);
      this.#idsByForm.set(form, id);
    }
    const versions = this.#versions.get(subject) ?? [];
    if (!versions.includes(id)) this.#versions.set(subject, [...versions, id]);
    return id;
  }

  lookupSync(subject: string, schema: string): number | undefined {
    const id = this.#idsByForm.get(normalizedForm(schema));
    return id !== undefined && this.#versions.get(subject)?.includes(id) === true ? id : undefined;
  }
}

function normalizedForm(schema: string): string {
  return JSON.stringify(avsc.Type.forSchema(JSON.parse(schema) as avsc.Schema).schema());
}

function settle<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
}
