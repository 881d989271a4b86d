/** Debezium-compatible PostgreSQL change data capture into Kafka. */
export { createPostgresCdcSource, PostgresCdcSource, type CdcSourceEvents, type SlotLag, type CdcSourceOptions } from './source.js';
export { parseCdcConfig, type CdcConfig, type RawConfig, type SnapshotMode } from './config.js';
export { LsnConfirmationTracker } from './lsn-confirmation.js';
export type { CdcRecord } from './change-events.js';
export { CdcError, CdcConfigError, CdcConnectionError, CdcDataError, CdcProtocolError, CdcSlotLostError, CdcRetriesExhaustedError } from './errors.js';
export type { CdcErrorOptions, CdcConfigErrorOptions } from './errors.js';
export type { SlotHealth, WalStatus } from './slot-health.js';
export { formatLsn, parseLsn } from './lsn.js';
