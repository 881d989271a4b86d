import { internalTopicName } from '../graph/naming.js';
import type { Topology } from '../graph/topology.js';
import type { Serde } from '../serde/serde.js';
import { changelogTopicName } from '../state/state-store.js';

interface Payloads {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/**
 * The asynchronous side of the serdes of a topology (see {@link Serde.prepare} and {@link Serde.prefetch}):
 * writer-side preparation before processing starts, reader-side prefetching per fetched batch.
 * Topologies whose serdes have no hooks cost nothing here.
 */
export class SerdePreparation {
  readonly #writes: [Serde<unknown>, string][] = [];
  readonly #readsByTopic = new Map<string, { key: Serde<unknown> | undefined; value: Serde<unknown> | undefined }>();

  constructor(topology: Topology, applicationId: string) {
    const write = (serde: Serde<unknown> | undefined, topic: string): void => {
      if (serde?.prepare !== undefined) this.#writes.push([serde, topic]);
    };
    for (const node of topology.nodes.values()) {
      if (node.kind === 'Sink' && typeof node.topic === 'string') {
        const topic = node.internal ? internalTopicName(applicationId, node.topic) : node.topic;
        write(node.keySerde, topic);
        write(node.valueSerde, topic);
      } else if (node.kind === 'Source') {
        const key = node.keySerde?.prefetch === undefined ? undefined : node.keySerde;
        const value = node.valueSerde?.prefetch === undefined ? undefined : node.valueSerde;
        if (key === undefined && value === undefined) continue;
        for (const topic of node.topics) this.#readsByTopic.set(node.internal ? internalTopicName(applicationId, topic) : topic, { key, value });
      }
    }
    for (const spec of topology.stores.values()) {
      if (!spec.logging) continue;
      const topic = changelogTopicName(applicationId, spec.name);
      write(spec.keySerde, topic);
      write(spec.valueSerde, topic);
    }
  }

  /** Awaits every writer-side preparation (e.g. schema registration); rejects with the first failure. */
  async prepare(): Promise<void> {
    await Promise.all(this.#writes.map(([serde, topic]) => serde.prepare!(topic)));
  }

  /** Resolves once the serdes of `topic` can deserialize these records; undefined when there is nothing to wait for. */
  prefetch(topic: string, records: readonly Payloads[]): Promise<void> | undefined {
    const reads = this.#readsByTopic.get(topic);
    if (reads === undefined) return undefined;
    const pending: Promise<void>[] = [];
    if (reads.key !== undefined) pending.push(reads.key.prefetch!(nonNull(records.map((r) => r.key)), topic));
    if (reads.value !== undefined) pending.push(reads.value.prefetch!(nonNull(records.map((r) => r.value)), topic));
    return Promise.all(pending).then(() => undefined);
  }
}

function nonNull(payloads: (Buffer | null)[]): Buffer[] {
  return payloads.filter((p): p is Buffer => p !== null);
}
