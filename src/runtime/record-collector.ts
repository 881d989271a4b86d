import type { OutgoingRecord } from '../errors.js';

/**
 * Buffers what a task produces (outputs, repartition records, dead letters) in the order produced, until
 * the commit under exactly-once (one transaction) or the next send under at-least-once (the runtime sends
 * as it goes); the test driver routes it to output topics and re-feeds internal topics.
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
