import type { OutgoingRecord } from '../errors.js';

/**
 * Buffers what a task produces (outputs, repartition records, dead letters) until commit, in the order
 * produced. The Kafka runtime sends a drained batch in one producer call (one transaction under
 * exactly-once); the test driver routes it to output topics and re-feeds internal topics.
 */
export class RecordCollector {
  #records: OutgoingRecord[] = [];

  send(record: OutgoingRecord): void {
    this.#records.push(record);
  }

  get size(): number {
    return this.#records.length;
  }

  /** Returns and forgets the buffered records. */
  drain(): OutgoingRecord[] {
    const records = this.#records;
    this.#records = [];
    return records;
  }
}
