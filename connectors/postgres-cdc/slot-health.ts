/**
 * The replication slot as the server sees it (`pg_replication_slots`): whether its WAL is still reserved
 * (`wal_status`), how far its confirmed position is behind the server (bytes and time), how much WAL it keeps on
 * disk, and how much more may be written before PostgreSQL invalidates it (`safe_wal_size`). A slot that falls
 * behind fills the server's disk, or, with `max_slot_wal_keep_size`, is invalidated and loses changes: both are
 * said early here, before they happen.
 *
 * @example
 * const health = await readSlotHealth(client, 'debezium');
 * for (const w of slotWarnings(health!, { lagBytes: 1 << 30, lagMs: 300_000, retainedBytes: 4 << 30 })) log.warn(w, w.message);
 */
import type pg from 'pg';
import { formatLsn, parseLsn } from './lsn.js';
import { CdcSlotLostError } from './errors.js';

/** `pg_replication_slots.wal_status` (PostgreSQL 13+); null on older servers. */
export type WalStatus = 'reserved' | 'extended' | 'unreserved' | 'lost';

export interface SlotHealth {
  readonly slotName: string;
  readonly walStatus: WalStatus | null;
  readonly active: boolean;
  readonly restartLsn: bigint | null;
  readonly confirmedFlushLsn: bigint | null;
  /** The server's current WAL insert position. */
  readonly currentLsn: bigint;
  /** WAL bytes between the server's position and the slot's confirmed flush position. */
  readonly lagBytes: bigint;
  /** WAL bytes the slot keeps on the server's disk (from restart_lsn). */
  readonly retainedBytes: bigint;
  /** WAL bytes that may still be written before the slot is in danger of invalidation (null: no limit). */
  readonly safeWalBytes: bigint | null;
}

export interface SlotThresholds {
  /** 0 disables each one. */
  readonly lagBytes: number;
  readonly lagMs: number;
  readonly retainedBytes: number;
}

export interface SlotWarning {
  readonly slot: string;
  readonly kind: 'lag-bytes' | 'lag-time' | 'retained-wal' | 'wal-unreserved';
  readonly message: string;
  readonly value: string;
  readonly threshold: string;
}

/** Reads the slot's health; null when the slot does not exist. Needs PostgreSQL 13+ for wal_status/safe_wal_size. */
export async function readSlotHealth(client: pg.Client, slotName: string): Promise<SlotHealth | null> {
  const version = Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v);
  const extra = version >= 130000 ? 'wal_status, safe_wal_size::text AS safe' : 'NULL::text AS wal_status, NULL::text AS safe';
  const res = await client.query<{ wal_status: string | null; safe: string | null; active: string; restart: string | null; confirmed: string | null; current: string }>(
    `SELECT ${extra}, active::text, restart_lsn::text AS restart, confirmed_flush_lsn::text AS confirmed,
            pg_current_wal_lsn()::text AS current
     FROM pg_replication_slots WHERE slot_name = $1`,
    [slotName],
  );
  const row = res.rows[0];
  if (!row) return null;
  const current = parseLsn(row.current);
  const restartLsn = row.restart === null ? null : parseLsn(row.restart);
  const confirmedFlushLsn = row.confirmed === null ? null : parseLsn(row.confirmed);
  const behind = (lsn: bigint | null): bigint => (lsn === null || lsn >= current ? 0n : current - lsn);
  return {
    slotName,
    walStatus: (row.wal_status as WalStatus | null) ?? null,
    active: row.active === 'true',
    restartLsn,
    confirmedFlushLsn,
    currentLsn: current,
    lagBytes: behind(confirmedFlushLsn),
    retainedBytes: behind(restartLsn),
    safeWalBytes: row.safe === null ? null : BigInt(row.safe),
  };
}

/**
 * How long the slot has been behind, from periodic samples of the server's WAL position: the slot's confirmed
 * position is where the server was at the first sample that is past it. Needs no clock on the server and no
 * change timestamps; it is a lower bound (at most one check interval short) and starts at 0 when the source starts.
 *
 * @example
 * const clock = new WalLagClock();
 * clock.sample(1_000, 100n); clock.sample(2_000, 200n);
 * clock.lagMs(3_000, 150n); // 1000: the server passed 150 between the two samples, at the latest at 2 000
 */
export class WalLagClock {
  private readonly samples: { atMs: number; lsn: bigint }[] = [];

  constructor(private readonly maxSamples = 10_000) {}

  sample(atMs: number, serverLsn: bigint): void {
    const last = this.samples.at(-1);
    if (last && last.lsn >= serverLsn) return; // no new WAL: the older sample says more
    this.samples.push({ atMs, lsn: serverLsn });
    if (this.samples.length > this.maxSamples) this.samples.shift();
  }

  lagMs(nowMs: number, confirmedLsn: bigint): number {
    while (this.samples.length > 1 && this.samples[1]!.lsn <= confirmedLsn) this.samples.shift();
    const first = this.samples.find((s) => s.lsn > confirmedLsn);
    return first === undefined ? 0 : Math.max(0, nowMs - first.atMs);
  }
}

/** The warnings a health reading deserves under the thresholds. */
export function slotWarnings(h: SlotHealth, t: SlotThresholds, lagMs: number | null = null): SlotWarning[] {
  const out: SlotWarning[] = [];
  const slot = h.slotName;
  if (t.lagBytes > 0 && h.lagBytes >= BigInt(t.lagBytes)) {
    out.push({ slot, kind: 'lag-bytes', value: h.lagBytes.toString(), threshold: String(t.lagBytes),
      message: `replication slot ${slot} is ${h.lagBytes} WAL bytes behind the server (slot.lag.warn.threshold.bytes=${t.lagBytes})` });
  }
  if (t.lagMs > 0 && lagMs !== null && lagMs >= t.lagMs) {
    out.push({ slot, kind: 'lag-time', value: String(lagMs), threshold: String(t.lagMs),
      message: `replication slot ${slot} has been behind the server for ${lagMs} ms (slot.lag.warn.threshold.ms=${t.lagMs})` });
  }
  if (t.retainedBytes > 0 && h.retainedBytes >= BigInt(t.retainedBytes)) {
    out.push({ slot, kind: 'retained-wal', value: h.retainedBytes.toString(), threshold: String(t.retainedBytes),
      message: `replication slot ${slot} keeps ${h.retainedBytes} bytes of WAL on the server (slot.retained.wal.warn.threshold.bytes=${t.retainedBytes})` });
  }
  if (h.walStatus === 'unreserved') {
    out.push({ slot, kind: 'wal-unreserved', value: h.safeWalBytes?.toString() ?? 'unknown', threshold: '0',
      message: `replication slot ${slot} is past max_slot_wal_keep_size (wal_status=unreserved): the next checkpoint may invalidate it and lose changes` });
  }
  return out;
}

/** Why a lost slot cannot be streamed from, what is missing, and how to recover. */
export function slotLostError(slotName: string, health: SlotHealth | null, storedLsn: bigint | null, cause?: unknown): CdcSlotLostError {
  const stored = storedLsn === null ? 'none' : formatLsn(storedLsn);
  const confirmed = health?.confirmedFlushLsn == null ? 'unknown' : formatLsn(health.confirmedFlushLsn);
  const server = health ? formatLsn(health.currentLsn) : 'unknown';
  const from = storedLsn ?? health?.confirmedFlushLsn ?? null;
  const gap = health && from !== null && health.currentLsn > from ? (health.currentLsn - from).toString() : 'unknown';
  const message =
    `replication slot ${slotName} is lost (wal_status=${health?.walStatus ?? 'unknown'}): PostgreSQL removed WAL the slot still needed ` +
    `(max_slot_wal_keep_size), so changes after the source's stored offset can no longer be streamed. ` +
    `Stored offset LSN ${stored}, slot confirmed LSN ${confirmed}, server at ${server}: ${gap} bytes of WAL in the gap. ` +
    `To recover: drop the slot (SELECT pg_drop_replication_slot('${slotName}')) and restart with snapshot.mode=when_needed ` +
    `(or always) to take a new snapshot; snapshot.mode=when_needed also does this by itself on the next start. ` +
    `Raise max_slot_wal_keep_size or watch the slot lag warnings to keep it from happening again.`;
  return new CdcSlotLostError(message, { context: { slot: slotName, walStatus: health?.walStatus ?? null, storedLsn: stored, confirmedLsn: confirmed, serverLsn: server, gapBytes: gap }, cause });
}

/** Server errors saying the slot's WAL is gone (START_REPLICATION on an invalidated slot, removed segments). */
export function isSlotLostServerError(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e instanceof Error && i < 8; e = (e as { cause?: unknown }).cause, i++) {
    if (/can no longer get changes from replication slot|cannot read from logical replication slot|has been invalidated|requested WAL segment .* has already been removed/i.test(e.message)) return true;
  }
  return false;
}
