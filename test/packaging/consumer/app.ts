// Consumer (b): strict TypeScript, module NodeNext, skipLibCheck false, compiled by tsc against the shipped
// declarations, then run by plain node.
import assert from 'node:assert/strict';
import { Serdes, StreamsBuilder, type KStream, type Topology } from 'tributary-streams';
import { TopologyTestDriver, type TestRecord } from 'tributary-streams/testing';
import { CdcConfigError, createPostgresCdcSource, parseCdcConfig, type RawConfig } from 'tributary-streams/postgres-cdc';
import { createPostgresSink } from 'tributary-streams/postgres-sink';

interface Order {
  readonly id: string;
  readonly amount: number;
}

function totals(): Topology {
  const builder = new StreamsBuilder();
  const orders: KStream<string, Order> = builder.stream('orders', { key: Serdes.string(), value: Serdes.json<Order>() });
  orders
    .filter((_key, order) => order.amount > 0)
    .groupByKey()
    .aggregate(() => 0, (_key, order, total) => total + order.amount, { storeName: 'totals', value: Serdes.long() })
    .toStream()
    .to('totals', { key: Serdes.string(), value: Serdes.long() });
  return builder.build();
}

const driver = new TopologyTestDriver(totals(), { applicationId: 'packaging-ts' });
const input = driver.createInputTopic<string, Order>('orders', Serdes.string(), Serdes.json<Order>());
const output = driver.createOutputTopic<string, number>('totals', Serdes.string(), Serdes.long());
input.pipeInput('alice', { id: 'o1', amount: 5 });
input.pipeInput('bob', { id: 'o2', amount: -1 });
input.pipeInput('alice', { id: 'o3', amount: 7 });
const records: TestRecord<string, number>[] = output.readRecordsToList();
driver.close();
assert.deepEqual(records.map((r) => [r.key, r.value]), [['alice', 5], ['alice', 12]]);

// The connector entry points resolve, with their types (no database is needed to load them).
const connectors: [typeof createPostgresCdcSource, typeof createPostgresSink] = [createPostgresCdcSource, createPostgresSink];
assert.deepEqual(connectors.map((f) => typeof f), ['function', 'function']);
const unparsed: RawConfig = { 'topic.prefix': 'shop' };
assert.throws(() => parseCdcConfig(unparsed), (error: unknown) => error instanceof CdcConfigError);

console.log('typescript consumer: ok', JSON.stringify(records.map((r) => [r.key, r.value])));
