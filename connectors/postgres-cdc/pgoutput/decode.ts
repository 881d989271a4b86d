/**
 * Dispatches one pgoutput (protocol version 1) message by its tag byte.
 */
import { ByteReader } from './reader.js';
import { readBegin, type BeginMessage } from './begin.js';
import { readCommit, type CommitMessage } from './commit.js';
import { readOrigin, type OriginMessage } from './origin.js';
import { readRelation, type RelationMessage } from './relation.js';
import { readType, type TypeMessage } from './type.js';
import { readInsert, type InsertMessage } from './insert.js';
import { readUpdate, type UpdateMessage } from './update.js';
import { readDelete, type DeleteMessage } from './delete.js';
import { readTruncate, type TruncateMessage } from './truncate.js';
import { readMessage, type LogicalMessage } from './message.js';
import { CdcProtocolError } from '../errors.js';

export type PgOutputMessage =
  | BeginMessage
  | CommitMessage
  | OriginMessage
  | RelationMessage
  | TypeMessage
  | InsertMessage
  | UpdateMessage
  | DeleteMessage
  | TruncateMessage
  | LogicalMessage;

export function decodePgOutput(buf: Buffer, offset = 0): PgOutputMessage {
  const r = new ByteReader(buf, offset);
  const tag = r.char();
  switch (tag) {
    case 'B':
      return readBegin(r);
    case 'C':
      return readCommit(r);
    case 'O':
      return readOrigin(r);
    case 'R':
      return readRelation(r);
    case 'Y':
      return readType(r);
    case 'I':
      return readInsert(r);
    case 'U':
      return readUpdate(r);
    case 'D':
      return readDelete(r);
    case 'T':
      return readTruncate(r);
    case 'M':
      return readMessage(r);
    default:
      throw new CdcProtocolError(`unsupported pgoutput message '${tag}' (protocol version 1 expected)`, { context: { tag } });
  }
}
