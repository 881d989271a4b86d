// Consumer (a): plain Node ESM, no TypeScript, no testcontainers installed.
import assert from 'node:assert/strict';
import { Serdes } from 'tributary-streams';
import { TopologyTestDriver, startKafka } from 'tributary-streams/testing';
import { createPostgresCdcSource } from 'tributary-streams/postgres-cdc';
import { createPostgresSink } from 'tributary-streams/postgres-sink';
import wordCount from './word-count.mjs';

const driver = new TopologyTestDriver(wordCount(), { applicationId: 'packaging-js' });
const input = driver.createInputTopic('sentences', Serdes.string(), Serdes.string());
const output = driver.createOutputTopic('word-counts', Serdes.string(), Serdes.long());
input.pipeInput('s1', 'the cat and the hat');
const counts = new Map(output.readKeyValuesToList());
driver.close();
assert.deepEqual(Object.fromEntries(counts), { the: 2, cat: 1, and: 1, hat: 1 });

assert.equal(typeof createPostgresCdcSource, 'function');
assert.equal(typeof createPostgresSink, 'function');

// The container helpers need the optional peer testcontainers; without it they say so.
delete process.env.KAFKA_BROKERS;
await assert.rejects(startKafka(), (error) => error.name === 'ServiceUnavailableError' && /testcontainers/.test(error.message));

console.log('javascript consumer: ok', JSON.stringify(Object.fromEntries(counts)));
