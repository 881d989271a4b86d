import type { Logger } from 'pino';
import type { AdminPort, TopicPartitionOffset } from '../kafka/port.js';

/**
 * Deletes repartition records below the committed offsets (Kafka Streams purges them the same way after
 * each commit): the application owns those topics and nothing else reads them. One purge runs at a time, in
 * the background; a purge that fails or is skipped is covered by the next commit's, whose offsets are higher.
 *
 * @example
 * const purger = new RepartitionPurger(admin, ['app-by-value-repartition'], logger);
 * purger.purge(committedOffsets);
 */
export class RepartitionPurger {
  readonly #topics: ReadonlySet<string>;
  #purging = false;

  constructor(
    private readonly admin: AdminPort,
    repartitionTopics: readonly string[],
    private readonly logger: Logger,
  ) {
    this.#topics = new Set(repartitionTopics);
  }

  purge(offsets: readonly TopicPartitionOffset[]): void {
    const byTopic = new Map<string, { partition: number; offset: number }[]>();
    for (const o of offsets) {
      if (!this.#topics.has(o.topic)) continue;
      let list = byTopic.get(o.topic);
      if (list === undefined) byTopic.set(o.topic, (list = []));
      list.push({ partition: o.partition, offset: o.offset });
    }
    if (byTopic.size === 0 || this.#purging) return;
    this.#purging = true;
    void (async () => {
      try {
        for (const [topic, partitions] of byTopic) await this.admin.deleteRecords(topic, partitions);
      } catch (error) {
        this.logger.debug({ err: error }, 'repartition purge failed; retried after the next commit');
      } finally {
        this.#purging = false;
      }
    })();
  }
}
