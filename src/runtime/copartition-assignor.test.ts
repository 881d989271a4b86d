import { describe, expect, it } from 'vitest';
import { assignCopartitioned, copartitionAssignor, tasksFor } from './copartition-assignor.js';

const subtopologies = [
  { subtopology: 0, topics: ['orders', 'customers'] },
  { subtopology: 1, topics: ['app-agg-repartition'] },
];
const counts = new Map([
  ['orders', 4],
  ['customers', 4],
  ['app-agg-repartition', 4],
]);

describe('co-partitioning assignor', () => {
  it('gives partition p of every source topic of a sub-topology to the same member', () => {
    const result = assignCopartitioned(
      [
        { memberId: 'm-b', instanceId: 'beta' },
        { memberId: 'm-a', instanceId: 'alpha' },
        { memberId: 'm-c', instanceId: 'gamma' },
      ],
      subtopologies,
      counts,
    );
    for (let p = 0; p < 4; p++) {
      const owners = [...result].filter(([, tps]) => tps.some((tp) => tp.topic === 'orders' && tp.partition === p)).map(([m]) => m);
      const customerOwners = [...result].filter(([, tps]) => tps.some((tp) => tp.topic === 'customers' && tp.partition === p)).map(([m]) => m);
      expect(owners).toHaveLength(1);
      expect(customerOwners).toEqual(owners);
    }
    const all = [...result.values()].flat();
    expect(all).toHaveLength(12);
    expect(new Set(all.map((tp) => `${tp.topic}-${tp.partition}`)).size).toBe(12);
  });

  it('spreads tasks evenly and deterministically by instance id', () => {
    const members = [
      { memberId: 'x2', instanceId: 'b' },
      { memberId: 'x1', instanceId: 'a' },
    ];
    const first = assignCopartitioned(members, subtopologies, counts);
    const again = assignCopartitioned([...members].reverse(), subtopologies, counts);
    expect(again).toEqual(first);
    expect(first.get('x1')!.filter((tp) => tp.topic !== 'customers')).toHaveLength(4);
    expect(first.get('x2')!.filter((tp) => tp.topic !== 'customers')).toHaveLength(4);
    // Instance "a" (sorted first) gets the even partitions of sub-topology 0.
    expect(first.get('x1')!.filter((tp) => tp.topic === 'orders').map((tp) => tp.partition)).toEqual([0, 2]);
  });

  it('creates one task per partition of the widest source topic', () => {
    expect(tasksFor([{ subtopology: 0, topics: ['a', 'b'] }], new Map([['a', 2], ['b', 3]]))).toEqual([
      { subtopology: 0, partition: 0 },
      { subtopology: 0, partition: 1 },
      { subtopology: 0, partition: 2 },
    ]);
  });

  it('reads the instance id from the member user data', () => {
    const assignor = copartitionAssignor('alpha', [{ subtopology: 0, topics: ['t'] }]);
    expect(assignor.userData().toString()).toBe('alpha');
    const result = assignor.assign(
      [
        { memberId: 'late', userData: Buffer.from('zeta') },
        { memberId: 'early', userData: Buffer.from('alpha') },
      ],
      new Map([['t', 3]]),
    );
    expect(result.get('early')!.map((tp) => tp.partition)).toEqual([0, 2]);
    expect(result.get('late')!.map((tp) => tp.partition)).toEqual([1]);
  });
});
