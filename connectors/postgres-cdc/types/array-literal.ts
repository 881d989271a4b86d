/**
 * Parser for one-dimensional PostgreSQL array literals: `{1,2,NULL}`, `{"a b","c\"d"}`, `{}`.
 * Returns raw element text (null for unquoted NULL); elements are converted per element type afterwards.
 */
import { CdcDataError } from '../errors.js';

export function parseArrayLiteral(text: string, delimiter = ','): (string | null)[] {
  let s = text;
  if (s.startsWith('[')) s = s.slice(s.indexOf('=') + 1); // explicit bounds: [0:2]={...}
  if (!s.startsWith('{') || !s.endsWith('}')) throw new CdcDataError(`not an array literal: '${text}'`, { context: { value: text } });
  const body = s.slice(1, -1);
  const out: (string | null)[] = [];
  if (body === '') return out;
  let i = 0;
  while (i <= body.length) {
    if (body[i] === '{') throw new CdcDataError('multi-dimensional arrays are not supported', { context: { value: text } });
    if (body[i] === '"') {
      let v = '';
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        v += body[i] ?? '';
        i++;
      }
      i++; // closing quote
      out.push(v);
    } else {
      let j = i;
      while (j < body.length && body[j] !== delimiter) j++;
      const raw = body.slice(i, j).trim();
      out.push(raw === 'NULL' ? null : raw);
      i = j;
    }
    if (i >= body.length) break;
    if (body[i] !== delimiter) throw new CdcDataError(`malformed array literal: '${text}'`, { context: { value: text } });
    i++;
  }
  return out;
}
