import { describe, expect, it } from 'vitest';
import { UnsafeIdentifierError } from './errors.js';
import { parseTableName, quoteIdentifier, quoteTable } from './identifiers.js';

describe('quoteIdentifier', () => {
  it('quotes plain names and keeps their case', () => {
    expect(quoteIdentifier('customers')).toBe('"customers"');
    expect(quoteIdentifier('createdAt')).toBe('"createdAt"');
  });

  it('doubles embedded quotes so a hostile name stays one identifier', () => {
    expect(quoteIdentifier('x"; DROP TABLE users; --')).toBe('"x""; DROP TABLE users; --"');
    expect(quoteIdentifier('"')).toBe('""""');
  });

  it('rejects names PostgreSQL cannot hold', () => {
    expect(() => quoteIdentifier('')).toThrow(UnsafeIdentifierError);
    expect(() => quoteIdentifier('a\0b')).toThrow(/NUL/);
    expect(() => quoteIdentifier('x'.repeat(64))).toThrow(/63 bytes/);
    expect(quoteIdentifier('x'.repeat(63))).toBe(`"${'x'.repeat(63)}"`);
    // multi-byte characters count in bytes, as PostgreSQL counts them
    expect(() => quoteIdentifier('é'.repeat(32))).toThrow(/63 bytes/);
  });
});

describe('parseTableName', () => {
  it('reads schema.table', () => {
    expect(parseTableName('inventory.orders')).toEqual({ schema: 'inventory', name: 'orders' });
    expect(quoteTable(parseTableName('inventory.orders'))).toBe('"inventory"."orders"');
    expect(parseTableName('orders')).toEqual({ name: 'orders' });
  });

  it('rejects three-part names and empty parts', () => {
    expect(() => parseTableName('a.b.c')).toThrow(/at most one dot/);
    expect(() => parseTableName('.b')).toThrow(/empty/);
  });
});
