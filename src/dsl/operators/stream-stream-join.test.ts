import { describe, expect, it } from 'vitest';
import { JoinWindows, Serdes, StreamsBuilder, TopologyError } from '../../index.js';
import { TopologyTestDriver } from '../../testing/index.js';

const s = { key: Serdes.string(), value: Serdes.string() };

describe('KStream-KStream join', () => {
  it('asymmetric window: right records from 0 to 10 ms after the left one; left join emits the unmatched left once closed', () => {
    const b = new StreamsBuilder();
    const left = b.stream('orders', s);
    const right = b.stream('payments', s);
    left.leftJoin(right, (o, p) => `${o}+${p ?? 'unpaid'}`, JoinWindows.ofTimeDifferenceWithNoGrace(0).after(10)).to('out', s);
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const orders = driver.createInputTopic('orders', Serdes.string(), Serdes.string());
    const payments = driver.createInputTopic('payments', Serdes.string(), Serdes.string());
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
    orders.pipeInput('o1', 'A', 100);
    payments.pipeInput('o1', 'early', 99); // before the order: outside [100, 110]
    payments.pipeInput('o1', 'p', 110);
    orders.pipeInput('o2', 'B', 105);
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['o1', 'A+p', 110]]);
    payments.pipeInput('x', 'tick', 116); // stream time 116 > 105 + 10: o2 is final
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['o2', 'B+unpaid', 105]]);
  });

  it('names its stores as Kafka Streams does and repartitions a re-keyed side', () => {
    const b = new StreamsBuilder();
    const left = b.stream('l', s).selectKey((_k, v) => v);
    left.outerJoin(b.stream('r', s), (x, y) => `${x}${y}`, JoinWindows.ofTimeDifferenceAndGrace(5, 1)).to('out', s);
    const topology = b.build();
    expect([...topology.stores.keys()]).toEqual([
      expect.stringMatching(/^KSTREAM-OUTERTHIS-\d{10}-store$/),
      expect.stringMatching(/^KSTREAM-OUTEROTHER-\d{10}-store$/),
      expect.stringMatching(/^KSTREAM-OUTERSHARED-\d{10}-store$/),
    ]);
    const spec = topology.stores.values().next().value!;
    expect(spec.type === 'window' && [spec.retentionMs, spec.changelogConfig['cleanup.policy']]).toEqual([11, 'compact,delete']);
    expect(topology.repartitionTopics).toHaveLength(1);
  });

  it('rejects co-partitioned sides whose repartition topics have different partition counts', () => {
    const b = new StreamsBuilder();
    const left = b.stream('l', s).repartition({ partitions: 3 });
    const right = b.stream('r', s).repartition({ partitions: 4 });
    left.join(right, (x, y) => `${x}${y}`, JoinWindows.ofTimeDifferenceWithNoGrace(5)).to('out', s);
    expect(() => b.build()).toThrow(TopologyError);
    expect(() => b.build()).toThrow(/co-partitioned inputs.*3.*4|co-partitioned inputs.*4.*3/);
  });
});
