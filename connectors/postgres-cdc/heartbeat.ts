/**
 * Heartbeat and transaction-metadata records (topics `__debezium-heartbeat.<prefix>` and `<prefix>.transaction`).
 */
import type { ConnectSchema } from './connect/schema.js';
import { toConnectJson } from './connect/json-converter.js';
import type { CdcRecord } from './change-events.js';

const HEARTBEAT_KEY: ConnectSchema = {
  type: 'struct', fields: [{ name: 'serverName', schema: { type: 'string', optional: false } }], optional: false,
  name: 'io.debezium.connector.common.ServerNameKey',
};
const HEARTBEAT_VALUE: ConnectSchema = {
  type: 'struct', fields: [{ name: 'ts_ms', schema: { type: 'int64', optional: false } }], optional: false,
  name: 'io.debezium.connector.common.Heartbeat',
};

export function heartbeatRecord(topic: string, topicPrefix: string, nowMs: bigint, schemas: { key: boolean; value: boolean }): CdcRecord {
  return {
    topic,
    key: toConnectJson(HEARTBEAT_KEY, { serverName: topicPrefix }, { schemasEnable: schemas.key }),
    value: toConnectJson(HEARTBEAT_VALUE, { ts_ms: nowMs }, { schemasEnable: schemas.value }),
    headers: {},
  };
}

const TX_KEY: ConnectSchema = {
  type: 'struct', fields: [{ name: 'id', schema: { type: 'string', optional: false } }], optional: false,
  name: 'io.debezium.connector.common.TransactionMetadataKey', version: 1,
};
const TX_VALUE: ConnectSchema = {
  type: 'struct',
  fields: [
    { name: 'status', schema: { type: 'string', optional: false } },
    { name: 'id', schema: { type: 'string', optional: false } },
    { name: 'event_count', schema: { type: 'int64', optional: true } },
    {
      name: 'data_collections',
      schema: {
        type: 'array', optional: true,
        items: {
          type: 'struct', optional: false, name: 'event.collection', version: 1,
          fields: [
            { name: 'data_collection', schema: { type: 'string', optional: false } },
            { name: 'event_count', schema: { type: 'int64', optional: false } },
          ],
        },
      },
    },
    { name: 'ts_ms', schema: { type: 'int64', optional: false } },
  ],
  optional: false,
  name: 'io.debezium.connector.common.TransactionMetadataValue',
  version: 1,
};

export function transactionRecord(
  topic: string,
  status: 'BEGIN' | 'END',
  id: string,
  tsMs: bigint,
  counts: ReadonlyMap<string, number> | null,
  schemas: { key: boolean; value: boolean },
): CdcRecord {
  const total = counts === null ? null : BigInt([...counts.values()].reduce((a, b) => a + b, 0));
  return {
    topic,
    key: toConnectJson(TX_KEY, { id }, { schemasEnable: schemas.key }),
    value: toConnectJson(
      TX_VALUE,
      {
        status, id, event_count: total,
        data_collections: counts === null ? null : [...counts].map(([dc, n]) => ({ data_collection: dc, event_count: BigInt(n) })),
        ts_ms: tsMs,
      },
      { schemasEnable: schemas.value },
    ),
    headers: {},
  };
}
