// Compatibility contract: importing tributary-streams leaves an application's own kafkajs clients stock. An
// application that also uses kafkajs gets the same kafkajs module as Tributary (npm dedupes it), so a patch of
// that module reaches its clients too; kafkajs-compat's group-join patches act only on the consumers Tributary
// creates. A plain consumer made with `new Kafka(...)` reports GROUP_JOIN without a generation and, when kafkajs
// restarts it after a broker restart broke its coordinator connection, joins as a new member; a Tributary consumer
// beside it stays its group's one member under its id through the same restart. A broker of its own: the test restarts it.
import { Writable } from 'node:stream';
import pino from 'pino';
// The package's entry point first, as an application importing tributary-streams would.
import { kafkajsAdapter } from '../../src/index.js';
import { installGroupJoinGeneration } from '../../src/kafka/kafkajs-compat.js';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumerPort, GroupMetadata } from '../../src/kafka/port.js';
import type { KafkaService } from '../../src/testing/index.js';
import { docker, startOwnKafka } from '../env/own-kafka.js';
import { randomName, randomTopic, waitFor } from '../env/services.js';

let service: KafkaService;
let container: string;
let admin: Admin;

beforeAll(async () => {
  // Its own container (never KAFKA_BROKERS): the test restarts it.
  ({ service, container } = await startOwnKafka());
  admin = new Kafka({ clientId: randomName('user_client_admin'), brokers: service.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await service?.stop();
});

interface Observed {
  /** GROUP_JOIN payloads with the time each arrived. */
  joins: { at: number; payload: Record<string, unknown> }[];
  /** CRASH events: whether kafkajs restarts the consumer, and when. */
  crashes: { at: number; restart: boolean }[];
}

/** The GROUP_JOIN and CRASH events of a plain kafkajs consumer, through its own `on`. */
function observe(consumer: Consumer): Observed {
  const observed: Observed = { joins: [], crashes: [] };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => void observed.joins.push({ at: Date.now(), payload: payload as unknown as Record<string, unknown> }));
  consumer.on(consumer.events.CRASH, ({ payload }) => void observed.crashes.push({ at: Date.now(), restart: payload.restart }));
  return observed;
}

describe('kafkajs on Kafka 4.x: an application kafkajs client beside Tributary behaves as stock kafkajs', () => {
  it('a user consumer reports no generation and rejoins as a new member after a broker restart; a Tributary consumer keeps its member id', async () => {
    // The patches are in the kafkajs module this test's `new Kafka` comes from.
    expect(installGroupJoinGeneration()).toBe(true);
    const topic = randomTopic('user_client_in');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });

    const user = new Kafka({ clientId: randomName('user_client'), brokers: service.brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: randomName('user_client_group'),
      // Short, so that the group drops the member the restarted consumer no longer is without a long wait.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 500,
    });
    const userEvents = observe(user);

    const tributaryGroup = randomName('user_client_tributary_group');
    // The adapter logs a warning when kafkajs restarts its consumer after a crash: when that happened.
    const tributaryCrashes: number[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => void (chunk.toString().includes('kafkajs restarts it') && tributaryCrashes.push(Date.now()), done()) }));
    const tributary: ConsumerPort = kafkajsAdapter({ brokers: service.brokers, logger }).consumer({ groupId: tributaryGroup, sessionTimeoutMs: 10_000 });
    const assignments: { at: number; metadata: GroupMetadata | undefined }[] = [];
    let tributaryCrash: Error | undefined;

    try {
      await user.connect();
      await user.subscribe({ topics: [topic], fromBeginning: true });
      await user.run({ autoCommit: false, eachBatch: async () => undefined });
      await tributary.run([topic], {
        onAssigned: () => void assignments.push({ at: Date.now(), metadata: tributary.groupMetadata() }),
        onBatch: async () => undefined,
        onCrash: (error) => void (tributaryCrash = error),
      });
      await waitFor(() => userEvents.joins.length > 0 && assignments.length > 0, { timeoutMs: 60_000, description: 'both consumers in their groups' });

      const firstUserJoin = userEvents.joins[0]!.payload;
      expect(firstUserJoin['memberId']).toEqual(expect.any(String));
      expect(firstUserJoin['memberAssignment']).toEqual({ [topic]: [0] });
      // Stock kafkajs's payload: no generation (a Tributary consumer's carries it, below).
      expect(firstUserJoin).not.toHaveProperty('generationId');
      const tributaryBefore = assignments.at(-1)!.metadata;
      expect(tributaryBefore).toEqual({ generationId: expect.any(Number), memberId: expect.any(String) });

      const restarted = Date.now();
      docker('restart', '-t', '2', container);

      // Whether kafkajs restarts the user consumer (a new ConsumerGroup) depends on timing, as for the Tributary
      // consumer below: its retries may outlast the broker's absence. Restarted, a stock consumer joins as a new
      // member once the old member's session has expired (the patched one would keep its id). The unit test
      // kafkajs-group-join.test.ts checks both paths without timing; here the broker is real.
      const userRestarted = await waitFor(() => userEvents.crashes.find((c) => c.at >= restarted && c.restart), { timeoutMs: 60_000, intervalMs: 200, description: 'a kafkajs restart of the user consumer' }).catch(() => undefined);
      if (userRestarted !== undefined) {
        const rejoin = await waitFor(() => userEvents.joins.find((j) => j.at > userRestarted.at), { timeoutMs: 150_000, intervalMs: 200, description: 'the restarted user consumer back in its group' });
        expect(rejoin.payload['memberId']).toEqual(expect.any(String));
        expect(rejoin.payload['memberId']).not.toBe(firstUserJoin['memberId']);
        expect(rejoin.payload).not.toHaveProperty('generationId');
      }
      expect(userEvents.joins.every((j) => !('generationId' in j.payload))).toBe(true);

      // Whether kafkajs had to restart the Tributary consumer too depends on timing (its retries may outlast the
      // broker's absence). Restarted, it rejoins under the member id it had (kafkajs-compat item 7); either way
      // it is the one member of its group, as it was.
      const tributaryRestarted = tributaryCrashes.find((at) => at >= restarted);
      if (tributaryRestarted !== undefined) {
        const after = await waitFor(() => assignments.find((a) => a.at > tributaryRestarted)?.metadata, { timeoutMs: 150_000, intervalMs: 200, description: 'the restarted Tributary consumer back in its group' });
        expect(after.memberId).toBe(tributaryBefore!.memberId);
        expect(after.generationId).toBeGreaterThan(tributaryBefore!.generationId);
      }
      const members = await waitFor(
        async () => {
          // A fresh admin each time: the one from before the restart may keep failing on its closed connection.
          const probe = new Kafka({ clientId: randomName('user_client_probe'), brokers: service.brokers, logLevel: logLevel.NOTHING }).admin();
          await probe.connect();
          const [group] = await probe.describeGroups([tributaryGroup]).then((r) => r.groups).finally(() => probe.disconnect());
          return group?.state === 'Stable' && group.members.length === 1 ? group.members.map((m) => m.memberId) : undefined;
        },
        { timeoutMs: 150_000, intervalMs: 200, description: 'the Tributary group stable with one member' },
      );
      expect(members).toEqual([tributaryBefore!.memberId]);
      for (const a of assignments.filter((x) => x.at >= restarted)) expect(a.metadata?.memberId).toBe(tributaryBefore!.memberId);
      expect(tributaryCrash).toBeUndefined();
      console.log(`[user client] the user consumer was ${userRestarted === undefined ? 'not restarted by kafkajs' : 'restarted by kafkajs and rejoined as a new member'}; the Tributary consumer was ${tributaryRestarted === undefined ? 'not restarted' : 'restarted and rejoined as the member it was'}`);
    } finally {
      await Promise.allSettled([user.disconnect(), tributary.close()]);
    }
  });
});
