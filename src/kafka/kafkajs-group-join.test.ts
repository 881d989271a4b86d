// kafkajs-compat items 6 and 7 apply to the consumers Tributary marks and to no other: a kafkajs consumer the
// application creates from the same kafkajs module behaves as stock kafkajs. No broker: kafkajs's own
// ConsumerGroup.joinAndSync runs on ConsumerGroups whose join and sync talk to a fake coordinator, and emits on
// the real consumers' instrumentation emitters, so the events arrive through the consumers' `on` listeners.
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { consumerInstrumentationEmitter, installGroupJoinGeneration, markTributaryConsumer } from './kafkajs-compat.js';

const require = createRequire(import.meta.url);
const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as { prototype: object };

/** kafkajs's private join and sync steps of a ConsumerGroup, which joinAndSync calls. */
function privateStep(description: string): symbol {
  const step = Object.getOwnPropertySymbols(ConsumerGroup.prototype).find((s) => s.description === description);
  if (step === undefined) throw new Error(`kafkajs ConsumerGroup has no ${description}`);
  return step;
}
const JOIN = privateStep('private:ConsumerGroup:join');
const SYNC = privateStep('private:ConsumerGroup:sync');

/** A group coordinator that knows the members that joined it and hands a new member id to any other. */
function fakeCoordinator() {
  const members = new Set<string>();
  let generation = 0;
  return {
    /** The member id each join asked for ('' for a new member), in order. */
    requested: [] as string[],
    join(memberId: string): { memberId: string; generationId: number } {
      this.requested.push(memberId);
      const id = members.has(memberId) ? memberId : `member-${members.size + 1}`;
      members.add(id);
      return { memberId: id, generationId: ++generation };
    },
  };
}

type FakeGroup = { memberId: string | null; generationId: number | null; joinAndSync(): Promise<unknown> };

/** A kafkajs ConsumerGroup (its prototype, so its joinAndSync) of `consumer`, as kafkajs makes one at each (re)start. */
function consumerGroup(consumer: Consumer, coordinator: ReturnType<typeof fakeCoordinator>): FakeGroup {
  const instrumentationEmitter = consumerInstrumentationEmitter(consumer);
  expect(instrumentationEmitter).toBeDefined();
  const group = Object.create(ConsumerGroup.prototype) as FakeGroup & Record<string | symbol, unknown>;
  Object.assign(group, {
    groupId: 'g',
    memberId: null,
    generationId: null,
    leaderId: null,
    groupProtocol: 'RoundRobinAssigner',
    instrumentationEmitter,
    logger: { info: () => undefined, debug: () => undefined, error: () => undefined, warn: () => undefined },
    retrier: (attempt: (bail: (e: unknown) => never) => Promise<unknown>) =>
      attempt((error) => {
        throw error;
      }),
    assigned: () => [{ topic: 'in', partitions: [0] }],
    [JOIN]: async function (this: FakeGroup) {
      const answer = coordinator.join(this.memberId ?? '');
      this.memberId = answer.memberId;
      this.generationId = answer.generationId;
    },
    [SYNC]: async () => undefined,
  });
  return group;
}

function consumer(): Consumer {
  // Never connected: nothing here reaches a broker.
  return new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING }).consumer({ groupId: 'g' });
}

/** The GROUP_JOIN payloads `consumer` reports through its own `on`. */
function groupJoins(c: Consumer): Record<string, unknown>[] {
  const payloads: Record<string, unknown>[] = [];
  c.on(c.events.GROUP_JOIN, ({ payload }) => void payloads.push(payload as unknown as Record<string, unknown>));
  return payloads;
}

describe('kafkajs compatibility: group join patches apply to Tributary consumers only', () => {
  it('a consumer Tributary marked reports the generation and rejoins under its member id after a restart', async () => {
    const tributary = consumer();
    expect(markTributaryConsumer(tributary)).toBe(true);
    const joins = groupJoins(tributary);
    const coordinator = fakeCoordinator();
    await consumerGroup(tributary, coordinator).joinAndSync();
    // kafkajs restarts a crashed consumer with a new ConsumerGroup on the same emitter.
    const restarted = consumerGroup(tributary, coordinator);
    await restarted.joinAndSync();
    expect(coordinator.requested).toEqual(['', 'member-1']);
    expect(joins).toMatchObject([
      { memberId: 'member-1', generationId: 1, memberAssignment: { in: [0] } },
      { memberId: 'member-1', generationId: 2, memberAssignment: { in: [0] } },
    ]);
    expect(restarted.memberId).toBe('member-1');
  });

  it("a user's own consumer from the same kafkajs reports stock GROUP_JOIN payloads and rejoins as a new member", async () => {
    // A Tributary consumer in the same process, so the patches are in place in this kafkajs.
    expect(markTributaryConsumer(consumer())).toBe(true);
    expect(installGroupJoinGeneration()).toBe(true);
    const user = consumer();
    const joins = groupJoins(user);
    const coordinator = fakeCoordinator();
    await consumerGroup(user, coordinator).joinAndSync();
    const restarted = consumerGroup(user, coordinator);
    await restarted.joinAndSync();
    // Stock kafkajs: the restarted ConsumerGroup has no member id, so it joins as a new member.
    expect(coordinator.requested).toEqual(['', '']);
    expect(restarted.memberId).toBe('member-2');
    expect(joins.map((p) => p['memberId'])).toEqual(['member-1', 'member-2']);
    for (const payload of joins) {
      expect(Object.keys(payload).sort()).toEqual(['duration', 'groupId', 'groupProtocol', 'isLeader', 'leaderId', 'memberAssignment', 'memberId']);
    }
  });

  it('marking a consumer is idempotent and leaves other consumers of the same client stock', async () => {
    const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
    const marked = kafka.consumer({ groupId: 'g' });
    const other = kafka.consumer({ groupId: 'g' });
    expect(markTributaryConsumer(marked)).toBe(true);
    expect(markTributaryConsumer(marked)).toBe(true);
    const markedJoins = groupJoins(marked);
    const otherJoins = groupJoins(other);
    const coordinator = fakeCoordinator();
    await consumerGroup(marked, coordinator).joinAndSync();
    await consumerGroup(other, coordinator).joinAndSync();
    expect(markedJoins).toMatchObject([{ memberId: 'member-1', generationId: 1 }]);
    expect(otherJoins).toHaveLength(1);
    expect(otherJoins[0]).toMatchObject({ memberId: 'member-2' });
    expect(otherJoins[0]).not.toHaveProperty('generationId');
  });

  it('importing tributary-streams leaves joinAndSync and TxnOffsetCommit as kafkajs has them (fresh process)', () => {
    const index = fileURLToPath(new URL('../index.ts', import.meta.url));
    const script = `
      const { createRequire } = await import('node:module');
      const require = createRequire(${JSON.stringify(index)});
      const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js');
      const stockJoinAndSync = ConsumerGroup.prototype.joinAndSync;
      await import(${JSON.stringify(index)});
      const txnOffsetCommit = require('kafkajs/src/protocol/requests/txnOffsetCommit/index.js');
      console.log(JSON.stringify({ joinAndSync: ConsumerGroup.prototype.joinAndSync === stockJoinAndSync, txnOffsetCommitVersions: txnOffsetCommit.versions }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ joinAndSync: true, txnOffsetCommitVersions: ['0', '1'] });
  }, 60_000);
});
