// W1 with kafkajs alone, as tight as the client allows: batch in, transform, one send per batch to the same
// partition, offsets resolved after the send (at-least-once). Args: brokers input output groupId.
import { Kafka, logLevel, type Message } from 'kafkajs';
import { keepClick, projectClick } from '../lib/clicks.js';

const [brokers, input, output, groupId] = process.argv.slice(2) as [string, string, string, string];
const kafka = new Kafka({ clientId: groupId, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const producer = kafka.producer({ allowAutoTopicCreation: false });
// The Java consumer's fetch.max.wait.ms (kafkajs waits 5 s, which only slows stopping).
const consumer = kafka.consumer({ groupId, maxBytes: 16 << 20, maxBytesPerPartition: 4 << 20, maxWaitTimeInMs: 500 });
await Promise.all([producer.connect(), consumer.connect()]);
consumer.on(consumer.events.GROUP_JOIN, () => console.log('READY'));
await consumer.subscribe({ topic: input, fromBeginning: true });
await consumer.run({
  partitionsConsumedConcurrently: 8,
  eachBatchAutoResolve: false,
  eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
    const messages: Message[] = [];
    for (const m of batch.messages) {
      const value = m.value!.toString();
      if (keepClick(value)) messages.push({ key: m.key, value: projectClick(value), partition: batch.partition, timestamp: m.timestamp });
    }
    if (messages.length > 0) await producer.send({ topic: output, messages });
    resolveOffset(batch.lastOffset());
    await heartbeat();
  },
});
process.on('SIGTERM', () => void Promise.all([consumer.disconnect(), producer.disconnect()]).then(() => process.exit(0)));
