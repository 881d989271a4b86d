/**
 * TupleData, shared by Insert/Update/Delete:
 *   Int16 ncols, then per column Byte1 kind:
 *     'n' null | 'u' unchanged TOAST (no data) | 't' Int32 len + text bytes | 'b' Int32 len + binary bytes
 * Values stay raw text: conversion to Connect values happens later, per column type.
 */
import type { ByteReader } from './reader.js';
import { CdcProtocolError } from '../errors.js';

export type TupleValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'unchanged-toast' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'binary'; readonly bytes: Buffer };

export type TupleData = readonly TupleValue[];

const NULL: TupleValue = { kind: 'null' };
const TOAST: TupleValue = { kind: 'unchanged-toast' };

export function readTuple(r: ByteReader): TupleData {
  const n = r.int16();
  const out: TupleValue[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const kind = r.char();
    switch (kind) {
      case 'n':
        out[i] = NULL;
        break;
      case 'u':
        out[i] = TOAST;
        break;
      case 't': {
        const len = r.int32();
        out[i] = { kind: 'text', text: r.bytes(len).toString('utf8') };
        break;
      }
      case 'b': {
        const len = r.int32();
        out[i] = { kind: 'binary', bytes: Buffer.from(r.bytes(len)) };
        break;
      }
      default:
        throw new CdcProtocolError(`unknown tuple column kind '${kind}'`, { context: { column: i, offset: r.offset } });
    }
  }
  return out;
}
