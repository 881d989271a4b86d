import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/index.js';
import { TopologyTestDriver } from '../../src/testing/index.js';
import type { ClickEvent } from './events.js';
import { clickstream } from './generator.js';
import { clickstreamTopology, INPUT_TOPIC, OUTPUT_TOPIC, outputKeySerde, outputValueSerde, STORE, type PageStats } from './topology.js';

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const min = 60_000;

function run(events: readonly ClickEvent[]) {
  const driver = new TopologyTestDriver(clickstreamTopology(), { applicationId: 'clickstream-test' });
  const input = driver.createInputTopic<string, ClickEvent>(INPUT_TOPIC, Serdes.string(), Serdes.json());
  const output = driver.createOutputTopic(OUTPUT_TOPIC, outputKeySerde, outputValueSerde);
  for (const e of events) input.pipeInput(e.user, e, e.ts);
  const latest = new Map<string, PageStats>();
  const records = output.readRecordsToList();
  for (const r of records) latest.set(`${r.key!.key}@${r.key!.window.start - T0}`, r.value!);
  const dropped = driver.droppedRecords;
  driver.close();
  return { latest, records, dropped };
}

const ev = (user: string, page: string, type: 'view' | 'click', at: number): ClickEvent => ({ user, session: `s-${user}`, page, type, ts: T0 + at });

describe('clickstream topology', () => {
  it('counts views, clicks, unique users and CTR per page and 5-minute window', () => {
    const { latest, records, dropped } = run([
      ev('ann', '/', 'view', 0),
      ev('bob', '/', 'view', 10_000),
      ev('ann', '/', 'click', 20_000),
      ev('ann', '/', 'view', 30_000),
      ev('bob', '/docs', 'view', 4 * min),
      ev('cid', '/', 'view', 5 * min + 1), // next window
      ev('dan', '/', 'click', 4 * min + 59_000), // out of order, first window still open (grace 1 min)
    ]);
    expect(latest.get('/@0')).toEqual({ views: 3, clicks: 2, uniqueUsers: 3, ctr: 2 / 3 });
    expect(latest.get('/docs@0')).toEqual({ views: 1, clicks: 0, uniqueUsers: 1, ctr: 0 });
    expect(latest.get(`/@${5 * min}`)).toEqual({ views: 1, clicks: 0, uniqueUsers: 1, ctr: 0 });
    expect(records).toHaveLength(7);
    expect(records.map((r) => r.timestamp - T0)).toEqual([0, 10_000, 20_000, 30_000, 4 * min, 5 * min + 1, 30_000 + (4 * min + 29_000)]);
    expect(dropped).toBe(0);
  });

  it('drops events later than the grace period and counts them', () => {
    const { latest, dropped } = run([ev('ann', '/', 'view', 0), ev('bob', '/', 'view', 6 * min + 1), ev('late', '/', 'click', 1_000)]);
    expect(latest.get('/@0')).toEqual({ views: 1, clicks: 0, uniqueUsers: 1, ctr: 0 });
    expect(dropped).toBe(1);
  });

  it('agrees with a plain recount of a generated clickstream (views and clicks exactly, users within 10%)', () => {
    const events = [...take(clickstream({ seed: 7, late: 0, outOfOrder: 0.05 }), 3000)];
    const { latest, dropped } = run(events);
    expect(dropped).toBe(0);
    const expected = new Map<string, { views: number; clicks: number; users: Set<string> }>();
    for (const e of events) {
      const id = `${e.page}@${Math.floor((e.ts - T0) / (5 * min)) * 5 * min}`;
      const row = expected.get(id) ?? { views: 0, clicks: 0, users: new Set<string>() };
      if (e.type === 'view') row.views++;
      else row.clicks++;
      row.users.add(e.user);
      expected.set(id, row);
    }
    expect([...latest.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [id, row] of expected) {
      const got = latest.get(id)!;
      expect({ id, views: got.views, clicks: got.clicks }).toEqual({ id, views: row.views, clicks: row.clicks });
      expect(Math.abs(got.uniqueUsers - row.users.size)).toBeLessThanOrEqual(Math.max(2, row.users.size * 0.1));
    }
  }, 60_000); // 3000 events through the driver: room for a loaded CI machine (a time-out, not a timing assertion)

  it('keeps its windows in a queryable window store', () => {
    const driver = new TopologyTestDriver(clickstreamTopology());
    driver.createInputTopic<string, ClickEvent>(INPUT_TOPIC, Serdes.string(), Serdes.json()).pipeInput('ann', ev('ann', '/', 'view', 0), T0);
    const store = driver.getStateStore<import('../../src/index.js').InMemoryWindowStore<string, { views: number }>>(STORE);
    expect(store.fetch('/', T0)?.value.views).toBe(1);
    driver.close();
  });
});

function* take<T>(it: Iterator<T>, n: number): Generator<T> {
  for (let i = 0; i < n; i++) yield it.next().value as T;
}
