// Real Kafka, an output the broker would refuse (5 MB, over the topic's max.message.bytes) among good ones: under
// both guarantees the production policy decides about that record alone, every good output is delivered in
// order, the refused one is in the dead-letter topic, and the input offsets are committed past all of them.
import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders, KafkaStreams, Serdes, StreamsBuilder, deadLetter, type ProcessingGuarantee } from '../../src/index.js';
import { kafkajsAdapter } from '../../src/kafka/kafkajs-adapter.js';
import type { ConsumedRecord } from '../../src/kafka/port.js';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { createTopics, kafkaSuite } from './streams-harness.js';

const running: KafkaStreams[] = [];
const { brokers, admin } = kafkaSuite(() => Promise.all(running.map((app) => app.close())));
const HUGE = 5 * 1024 * 1024;

/** Every record of partition 0 of `topic` up to its end (read_committed skips aborted ones). */
async function readAll(topic: string): Promise<ConsumedRecord[]> {
  const [end] = await admin.fetchTopicOffsets(topic);
  const records: ConsumedRecord[] = [];
  await kafkajsAdapter({ brokers }).readToEnd([{ topic, partition: 0, endOffset: Number(end!.high) }], (batch) => void records.push(...batch.records), { readCommitted: true });
  return records;
}

async function committedOffset(groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Number(offsets?.partitions.find((p) => p.partition === 0)?.offset ?? -1);
}

describe('KafkaStreams with an output the broker would refuse, on real Kafka', () => {
  for (const guarantee of ['at_least_once', 'exactly_once'] as ProcessingGuarantee[]) {
    it(`${guarantee}: delivers every good output, dead-letters the oversized one, and commits past them`, async () => {
      const input = randomTopic('prod_err_in');
      const output = randomTopic('prod_err_out');
      const dlq = randomTopic('prod_err_dlq');
      await createTopics(admin, [
        { topic: input, partitions: 1 },
        { topic: output, partitions: 1 },
        { topic: dlq, partitions: 1 },
      ]);
      const producer = kafkajsAdapter({ brokers });
      const send = await producer.producer();
      // 17 inputs; the one at offset 7 becomes a 5 MB output.
      await send.send(Array.from({ length: 17 }, (_, i) => ({ topic: input, partition: 0, key: Buffer.from(`k${i}`), value: Buffer.from(i === 7 ? 'huge' : `v${i}`), timestamp: Date.now(), headers: {} })));
      await send.close();

      const builder = new StreamsBuilder();
      builder
        .stream(input, { key: Serdes.string(), value: Serdes.string() })
        .mapValues((v) => (v === 'huge' ? 'x'.repeat(HUGE) : v.toUpperCase()))
        .to(output, { key: Serdes.string(), value: Serdes.string() });
      const applicationId = randomName('prod_err_app');
      const app = new KafkaStreams(builder.build(), { applicationId, brokers, guarantee, commitIntervalMs: 100, errorPolicies: { production: deadLetter(dlq) } });
      running.push(app);
      await app.start();
      await waitFor(async () => (await committedOffset(applicationId, input)) === 17, { timeoutMs: 60_000, description: 'input offsets committed up to 17' });
      expect(app.state).toBe('RUNNING');

      const outputs = await readAll(output);
      expect(outputs.map((r) => `${r.key?.toString()}=${r.value?.toString()}`)).toEqual(Array.from({ length: 17 }, (_, i) => i).filter((i) => i !== 7).map((i) => `k${i}=V${i}`));
      const dead = await readAll(dlq);
      expect(dead).toHaveLength(1);
      expect(dead[0]!.key?.toString()).toBe('k7');
      expect(dead[0]!.value).toBeNull();
      const headers = Object.fromEntries(Object.entries(dead[0]!.headers).map(([k, v]) => [k, String(v)]));
      expect(headers).toMatchObject({
        [DeadLetterHeaders.errorClass]: 'RecordTooLargeError',
        [DeadLetterHeaders.phase]: 'production',
        [DeadLetterHeaders.topic]: input,
        [DeadLetterHeaders.offset]: '7',
        [DeadLetterHeaders.outputTopic]: output,
        [DeadLetterHeaders.valueBytes]: String(HUGE),
      });
      await app.close();
    });
  }

  it('at-least-once producer: a record refused by the broker after its topic limit was lowered is reported alone, the others delivered', async () => {
    const topic = randomTopic('prod_err_limit');
    await createTopics(admin, [{ topic, partitions: 1 }]);
    const port = kafkajsAdapter({ brokers });
    const producer = await port.producer();
    const record = (value: string) => ({ topic, partition: 0, key: Buffer.from(value.slice(0, 1)), value: Buffer.from(value), timestamp: Date.now(), headers: {} });
    // The first send learns the topic's limit (1 MB); lowering it afterwards is what no screen can see.
    expect((await producer.send([record('first')])).rejected).toEqual([]);
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic, configEntries: [{ name: 'max.message.bytes', value: '2000' }] }] });
    const big = 'b'.repeat(5000);
    const report = await producer.send([record('alpha'), record(big), record('gamma'), record('delta')]);
    await producer.close();
    expect(report.rejected.map((r) => [r.record.value?.length, r.error.name])).toEqual([[5000, 'RecordTooLargeError']]);
    const values = (await readAll(topic)).map((r) => r.value?.toString());
    expect(values).not.toContain(big);
    // At-least-once may repeat a record that was written before the refusal was found, never lose or reorder one.
    const firstOf = (v: string) => values.indexOf(v);
    for (const v of ['first', 'alpha', 'gamma', 'delta']) expect(values).toContain(v);
    expect(firstOf('alpha')).toBeLessThan(firstOf('gamma'));
    expect(firstOf('gamma')).toBeLessThan(firstOf('delta'));
  });
});
