import type { ConfigResourceTypes, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { TopicLimits } from './record-limits.js';
import type { TopicLimitsLookup } from './kafkajs-producer.js';

/**
 * Reads `max.message.bytes` and `cleanup.policy` of the topics a producer sends to, once per topic, so that a
 * record the topic would refuse is found before it is sent. The admin client lives only for the look-up:
 * a connection kept open would keep the process from exiting. A topic whose configs cannot be read (it does
 * not exist yet, no DescribeConfigs permission) is looked up again 30 s later; meanwhile only the producer's
 * own limit applies.
 */
export function kafkajsTopicLimits(kafka: Kafka, logger: Logger): TopicLimitsLookup {
  const known = new Map<string, TopicLimits>();
  let inFlight: Promise<void> | undefined;
  const lookUp = async (topics: readonly string[]): Promise<void> => {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const results = await Promise.allSettled(
        topics.map((name) =>
          admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC_RESOURCE, name, configNames: ['max.message.bytes', 'cleanup.policy'] }] }),
        ),
      );
      results.forEach((result, i) => {
        if (result.status === 'rejected') {
          logger.debug({ err: result.reason, topic: topics[i] }, 'cannot read the topic configs; only the producer limit applies to it for now');
          return;
        }
        const resource = result.value.resources[0];
        if (resource === undefined || resource.errorCode !== 0) return;
        const value = (name: string): string | undefined => resource.configEntries.find((e) => e.configName === name)?.configValue;
        const maxMessageBytes = Number(value('max.message.bytes'));
        if (!Number.isFinite(maxMessageBytes) || maxMessageBytes <= 0) return;
        known.set(topics[i]!, { maxMessageBytes, compacted: (value('cleanup.policy') ?? '').split(',').map((p) => p.trim()).includes('compact') });
      });
    } catch (error) {
      logger.debug({ err: error }, 'cannot read topic configs; only the producer limit applies for now');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
  /** Topics whose configs could not be read, and when to ask again. */
  const retryAt = new Map<string, number>();
  return async (topics) => {
    // One look-up at a time.
    while (inFlight !== undefined) await inFlight;
    const now = Date.now();
    const missing = topics.filter((t) => !known.has(t) && (retryAt.get(t) ?? 0) <= now);
    if (missing.length > 0) {
      inFlight = lookUp(missing).finally(() => {
        inFlight = undefined;
        // A topic that may be created later, or a permission granted later, is asked about again, not at every send.
        for (const t of missing) if (!known.has(t)) retryAt.set(t, Date.now() + UNKNOWN_TOPIC_RETRY_MS);
      });
      await inFlight;
    }
    return known;
  };
}

const UNKNOWN_TOPIC_RETRY_MS = 30_000;

/** ConfigResourceTypes.TOPIC: kafkajs's CommonJS enum is not an ESM named export, and the protocol value is fixed. */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;
