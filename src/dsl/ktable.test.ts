import { describe, expect, it } from 'vitest';
import { TopologyError } from '../errors.js';
import { Serdes } from '../serde/index.js';
import { StreamsBuilder } from './streams-builder.js';

describe('KTable joins called with a foreign-key signature', () => {
  const serdes = { key: Serdes.string(), value: Serdes.string() };
  const tables = () => {
    const builder = new StreamsBuilder();
    return { builder, orders: builder.table('orders', serdes), customers: builder.table('customers', serdes) };
  };
  const fkExtractor = (order: string): string => order.split(',')[0]!;
  const joiner = (order: string, customer: string | null): string => `${order}/${customer}`;

  for (const method of ['join', 'leftJoin', 'outerJoin'] as const) {
    it(`${method}(other, fkExtractor, joiner) from untyped code is refused with a TopologyError naming foreign-key joins`, () => {
      const { orders, customers } = tables();
      const untyped = orders as unknown as Record<string, (...args: unknown[]) => unknown>;
      let thrown: unknown;
      try {
        untyped[method]!.call(orders, customers, fkExtractor, joiner);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TopologyError);
      expect((thrown as Error).message).toMatch(/foreign-key/);
      expect((thrown as Error).message).toContain(`${method}(other, joiner)`);
    });
  }

  it('a primary-key join with options still builds', () => {
    const { builder, orders, customers } = tables();
    orders.leftJoin(customers, joiner, { name: 'orders-with-customer' }).toStream().to('out', serdes);
    expect(() => builder.build()).not.toThrow();
  });
});
