// Real Kafka, bad input: malformed records go to the dead-letter topic with their original bytes and error
// headers while the rest is processed; with log-and-fail the application stops with an error naming the
// topic, partition and offset of the bad record.
import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders, DeserializationError, KafkaStreams, Serdes, StreamsBuilder, deadLetter, type ErrorPolicies } from '../../src/index.js';
import { randomName, randomTopic } from '../env/services.js';
import { createTopics, kafkaSuite, readRecords } from './streams-harness.js';

const running: KafkaStreams[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(running.map((app) => app.close())));

interface Reading {
  readonly sensor: string;
  readonly celsius: number;
}

function doublingApp(input: string, output: string, errorPolicies: Partial<ErrorPolicies>): KafkaStreams {
  const builder = new StreamsBuilder();
  builder
    .stream(input, { key: Serdes.string(), value: Serdes.json<Reading>() })
    .mapValues((r) => `${r.sensor}:${r.celsius * 2}`)
    .to(output, { key: Serdes.string(), value: Serdes.string() });
  const app = new KafkaStreams(builder.build(), { applicationId: randomName('bad_input_app'), brokers, guarantee: 'at_least_once', commitIntervalMs: 100, errorPolicies });
  running.push(app);
  return app;
}

/** 20 records on partition 0; those at offsets 3, 11 and 17 are not JSON. */
async function produceMixed(topic: string): Promise<{ bad: Map<number, string> }> {
  const producer = kafka.producer();
  await producer.connect();
  const bad = new Map<number, string>();
  const messages = Array.from({ length: 20 }, (_, i) => {
    if (i === 3 || i === 11 || i === 17) {
      const raw = `{"sensor": "s${i}", celsius: oops ${i}`;
      bad.set(i, raw);
      return { key: `s${i}`, value: raw, partition: 0, headers: { origin: `line-${i}` } };
    }
    return { key: `s${i}`, value: JSON.stringify({ sensor: `s${i}`, celsius: i }), partition: 0, headers: { origin: `line-${i}` } };
  });
  await producer.send({ topic, messages });
  await producer.disconnect();
  return { bad };
}

describe('KafkaStreams with bad input on real Kafka', () => {
  it('sends malformed records to the dead-letter topic with their bytes and error headers, and processes the rest', async () => {
    const input = randomTopic('bad_in');
    const output = randomTopic('bad_out');
    const dlq = randomTopic('bad_dlq');
    await createTopics(admin, [
      { topic: input, partitions: 1 },
      { topic: output, partitions: 1 },
      { topic: dlq, partitions: 1 },
    ]);
    const { bad } = await produceMixed(input);
    const app = doublingApp(input, output, { deserialization: deadLetter(dlq) });
    await app.start();

    const outputs = await readRecords(kafka, output, 17);
    expect(outputs.map((r) => r.value.toString())).toEqual(
      Array.from({ length: 20 }, (_, i) => i)
        .filter((i) => !bad.has(i))
        .map((i) => `s${i}:${i * 2}`),
    );
    const letters = await readRecords(kafka, dlq, 3);
    expect(letters).toHaveLength(3);
    for (const [letter, [offset, raw]] of letters.map((l, i) => [l, [...bad][i]!] as const)) {
      expect(letter.key).toBe(`s${offset}`);
      expect(letter.value.toString()).toBe(raw);
      expect(letter.headers['origin']).toBe(`line-${offset}`);
      expect(letter.headers[DeadLetterHeaders.errorClass]).toBe('DeserializationError');
      expect(letter.headers[DeadLetterHeaders.errorMessage]).toMatch(/cannot deserialize record/);
      expect(letter.headers[DeadLetterHeaders.phase]).toBe('deserialization');
      expect(letter.headers[DeadLetterHeaders.topic]).toBe(input);
      expect(letter.headers[DeadLetterHeaders.partition]).toBe('0');
      expect(letter.headers[DeadLetterHeaders.offset]).toBe(String(offset));
    }
    expect(app.state).toBe('RUNNING');
    await app.close();
    expect(app.state).toBe('NOT_RUNNING');
  });

  it('stops with an error naming topic, partition and offset under log-and-fail', async () => {
    const input = randomTopic('fail_in');
    const output = randomTopic('fail_out');
    await createTopics(admin, [
      { topic: input, partitions: 1 },
      { topic: output, partitions: 1 },
    ]);
    await produceMixed(input);
    const app = doublingApp(input, output, {});
    const states: string[] = [];
    app.on('state', (state) => states.push(state));
    const failed = new Promise<Error>((resolve) => app.once('error', resolve));
    await app.start();
    const error = await failed;
    expect(app.state).toBe('ERROR');
    expect(states.slice(-2)).toEqual(['PENDING_SHUTDOWN', 'ERROR']);
    expect(error).toBeInstanceOf(DeserializationError);
    expect(error.message).toContain(`topic ${input}, partition 0, offset 3`);
    expect(error).toMatchObject({ topic: input, partition: 0, offset: 3 });
    // Nothing after the bad record was committed: the group's offset is at most the bad record's.
    const [committed] = await admin.fetchOffsets({ groupId: app.applicationId, topics: [input] });
    expect(Number(committed!.partitions[0]!.offset)).toBeLessThanOrEqual(3);
  });
});
