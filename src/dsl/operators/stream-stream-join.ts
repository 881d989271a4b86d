import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { Serde } from '../../serde/serde.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { InMemoryWindowStore } from '../../state/window-store.js';

/** Combines a left and a right value (a missing side is null in left/outer joins). */
export type ValueJoiner<V1, V2, VR, K = unknown> = (left: V1, right: V2, key: K) => VR;

/**
 * Join processor of one side of a KStream-KStream join (Kafka's KStreamKStreamJoin with the
 * spurious-result fix). For a record at t it probes the other side's store in `[t - before, t + after]`
 * (per side; both inclusive, clamped at 0) and forwards `joiner(left, right)` at `max(t, tOther)` per match,
 * in the other store's order (timestamp, then arrival).
 *
 * Left/outer joins, decided explicitly as Kafka does:
 * - one stream time shared by both sides of the join (max of both), used for non-joined emission only;
 *   a late record is never dropped for lateness, it joins whatever the other store still retains;
 * - an unmatched record of an outer side waits in the shared outer store until its window has closed
 *   (`t + after + grace < streamTime`, right side: `t + before + grace`), then is emitted as
 *   `joiner(v, null)` (`joiner(null, v)`) at its own timestamp; when it finds a match later it is removed, so
 *   no spurious `v+null` result appears; an unmatched record whose window is already past is emitted at once;
 * - pending non-joined records are emitted (before the current record is joined, and only when the
 *   current record did not go back in time) in order of timestamp, right side before left at equal
 *   timestamps, then key bytes;
 * - the scan of the outer store is gated on a shared `minTime`: it runs only if
 *   `minTime + after (this side's) + grace < streamTime`. A put lowers minTime to the record's timestamp; a
 *   scan resets it and then sets it to the timestamp of every entry it looks at, including the entry that
 *   ends the scan once both sides have an open entry. So after a scan minTime can be above a still-pending
 *   entry, and that entry waits until stream time passes the later bound (Kafka Streams does exactly this);
 *   records sharing (ts, side, key) count as one entry each, so a scan may end on the second of two copies;
 * - the outer store is changelogged; minTime is not: after a restart it is "none" (Long.MAX_VALUE), and
 *   Kafka's 64-bit sum overflows so the first record at stream time scans the restored entries;
 * - null key or value: dropped (counted), except a null key with a value on an outer side, which is
 *   forwarded at once as a non-joined result.
 */
export interface StreamStreamJoinNode extends NodeBase<'StreamStreamJoin'> {
  readonly leftSide: boolean;
  /** This side emits non-joined results (left side of left joins, both sides of outer joins). */
  readonly outer: boolean;
  readonly otherStoreName: string;
  /** Left side's window store: identifies the join inside a task (shared time tracker). */
  readonly leftStoreName: string;
  readonly outerStoreName: string | undefined;
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs: number;
  /** Joiner as (left, right, key), whatever the side. */
  readonly joiner: ValueJoiner<any, any, any, any>;
  readonly keySerde: Serde<any> | undefined;
}

export function createStreamStreamJoinNode(builder: GraphBuilder, parent: string, name: string, fields: Omit<StreamStreamJoinNode, 'kind' | 'name' | 'parents' | 'stores'>): StreamStreamJoinNode {
  const stores = [fields.otherStoreName, ...(fields.outerStoreName === undefined ? [] : [fields.outerStoreName])];
  return builder.addNode<StreamStreamJoinNode>({ kind: 'StreamStreamJoin', name, parents: [parent], stores, ...fields });
}

/**
 * Stream time and the lower bound of pending non-joined timestamps, shared by the two join processors of a
 * task. Both are in memory only: after a restart stream time starts again at -1 and minTime at "none"
 * (Infinity, Kafka's Long.MAX_VALUE).
 */
interface SharedTimeTracker {
  streamTime: number;
  minTime: number;
}

const LONG_MAX = 2n ** 63n - 1n;

/**
 * The cheap pre-check before scanning the outer store: `minTime + lookAhead < streamTime`, evaluated in
 * 64-bit two's complement as Kafka Streams does. With no known minTime (Long.MAX_VALUE: after a restart,
 * or after a scan of an empty store) the sum overflows to a negative number for any positive lookAhead, so
 * the scan happens: this is how pending records restored from the changelog get emitted.
 */
function mayHaveClosedWindows(tracker: SharedTimeTracker, lookAhead: number): boolean {
  if (tracker.minTime !== Infinity) return tracker.minTime + lookAhead < tracker.streamTime;
  return BigInt.asIntN(64, LONG_MAX + BigInt(lookAhead)) < BigInt(tracker.streamTime);
}

const trackers = new WeakMap<object, SharedTimeTracker>();

/** Key of the shared outer store: `[ts][side][key]`, ordered by ts, right (0) before left (1), key bytes. */
export interface OuterKey {
  readonly ts: number;
  readonly left: boolean;
  readonly key: unknown;
}

/** Value of the shared outer store: the pending records of one (ts, side, key), in arrival order. */
export interface OuterValues {
  readonly left: boolean;
  readonly values: readonly unknown[];
}

/** Serde of outer-store keys in Kafka's layout (8-byte ts, side byte, key bytes). */
export function outerKeySerde(keySerde: Serde<any>): Serde<OuterKey> {
  return {
    name: 'timestampedKeyAndJoinSide',
    serialize: (k, topic) => {
      const key = keySerde.serialize(k.key, topic);
      const out = Buffer.allocUnsafe(key.length + 9);
      out.writeBigInt64BE(BigInt(k.ts), 0);
      out.writeUInt8(k.left ? 1 : 0, 8);
      key.copy(out, 9);
      return out;
    },
    deserialize: (bytes, topic) => ({ ts: Number(bytes.readBigInt64BE(0)), left: bytes.readUInt8(8) === 1, key: keySerde.deserialize(bytes.subarray(9), topic) }),
  };
}

/**
 * Serde of outer-store values: the side, then the list of pending values, each serialized with its side's
 * serde (the store holds values of both sides, so the changelog must say which serde reads them back).
 */
export function outerValuesSerde(leftSerde: Serde<any>, rightSerde: Serde<any>): Serde<OuterValues> {
  return {
    name: 'leftOrRightValueList',
    serialize: (entry, topic) => {
      const serde = entry.left ? leftSerde : rightSerde;
      return Buffer.from(JSON.stringify({ left: entry.left, values: entry.values.map((v) => serde.serialize(v, topic).toString('base64')) }), 'utf8');
    },
    deserialize: (bytes, topic) => {
      const { left, values } = JSON.parse(bytes.toString('utf8')) as { left: boolean; values: string[] };
      const serde = left ? leftSerde : rightSerde;
      return { left, values: values.map((b) => serde.deserialize(Buffer.from(b, 'base64'), topic)) };
    },
  };
}

function sortKey(k: OuterKey): string {
  const id = typeof k.key === 'string' ? k.key : JSON.stringify(k.key);
  return `${String(k.ts).padStart(16, '0')}${k.left ? '1' : '0'}${id}`;
}

class StreamStreamJoinProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  private other!: InMemoryWindowStore<unknown, unknown>;
  private outerStore: KeyValueStore<OuterKey, OuterValues> | undefined;
  private tracker!: SharedTimeTracker;
  private readonly probeBefore: number;
  private readonly probeAfter: number;

  constructor(private readonly node: StreamStreamJoinNode) {
    this.probeBefore = node.leftSide ? node.beforeMs : node.afterMs;
    this.probeAfter = node.leftSide ? node.afterMs : node.beforeMs;
  }

  init(context: ProcessorContext): void {
    this.ctx = context;
    this.other = context.getStateStore<never>(this.node.otherStoreName);
    if (this.node.outerStoreName !== undefined) this.outerStore = context.getStateStore<KeyValueStore<OuterKey, OuterValues>>(this.node.outerStoreName);
    const anchor: object = this.node.leftSide ? context.getStateStore(this.node.leftStoreName) : this.other;
    let tracker = trackers.get(anchor);
    if (tracker === undefined) trackers.set(anchor, (tracker = { streamTime: -1, minTime: Infinity }));
    this.tracker = tracker;
  }

  private join(thisValue: unknown, otherValue: unknown, key: unknown): unknown {
    return this.node.leftSide ? this.node.joiner(thisValue, otherValue, key) : this.node.joiner(otherValue, thisValue, key);
  }

  process(record: Record<unknown, unknown>): void {
    const { key, value } = record;
    const t = record.timestamp;
    const from = Math.max(0, t - this.probeBefore);
    const to = Math.max(0, t + this.probeAfter);
    if (t > this.tracker.streamTime) this.tracker.streamTime = t;
    const nullKey = key === null || key === undefined;
    const nullValue = value === null || value === undefined;
    if (this.node.outer && nullKey && !nullValue) {
      this.ctx.forward(record.withValue(this.join(value, null, key)));
      return;
    }
    if (nullKey || nullValue) {
      this.ctx.recordDropped(nullKey ? 'null key in stream-stream join' : 'null value in stream-stream join');
      return;
    }
    if (this.outerStore !== undefined && t === this.tracker.streamTime) this.emitNonJoined(record);
    let matched = false;
    for (const other of this.other.fetchRange(key, from, to)) {
      matched = true;
      this.outerStore?.delete({ ts: other.start, left: !this.node.leftSide, key });
      this.ctx.forward(record.withValue(this.join(value, other.value, key)).withTimestamp(Math.max(t, other.start)));
    }
    if (matched || !this.node.outer) return;
    if (this.outerStore === undefined || to < this.tracker.streamTime) {
      this.ctx.forward(record.withValue(this.join(value, null, key)));
      return;
    }
    if (t < this.tracker.minTime) this.tracker.minTime = t;
    const outerKey: OuterKey = { ts: t, left: this.node.leftSide, key };
    const pending = this.outerStore.get(outerKey)?.values ?? [];
    this.outerStore.put(outerKey, { left: this.node.leftSide, values: [...pending, value] }, t);
  }

  private emitNonJoined(record: Record<unknown, unknown>): void {
    const store = this.outerStore!;
    const { graceMs } = this.node;
    const tracker = this.tracker;
    if (!mayHaveClosedWindows(tracker, this.probeAfter + graceMs)) return;
    tracker.minTime = Infinity;
    const entries = [...store.all()].map(([k, v]) => ({ k, v, order: sortKey(k) })).sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    let leftOpen = false;
    let rightOpen = false;
    scan: for (const { k, v } of entries) {
      const lookBack = k.left ? this.node.afterMs : this.node.beforeMs;
      const open = k.ts + lookBack + graceMs >= tracker.streamTime;
      // Kafka's outer store is a list store: records sharing (ts, side, key) are separate entries of the scan.
      // So each copy sets minTime and checks the stop condition, and the scan can stop on a second copy.
      for (const pendingValue of v.values) {
        // As in Kafka Streams, minTime becomes the timestamp of the last entry looked at, even when that entry
        // only ends the scan: it can overestimate the earliest pending timestamp and so delay the next scan.
        tracker.minTime = k.ts;
        if (leftOpen && rightOpen) break scan;
        if (open) {
          if (k.left) leftOpen = true;
          else rightOpen = true;
          continue;
        }
        const joined = k.left ? this.node.joiner(pendingValue, null, k.key) : this.node.joiner(null, pendingValue, k.key);
        this.ctx.forward(record.withKey(k.key).withValue(joined).withTimestamp(k.ts));
      }
      if (!open) store.delete(k);
    }
  }
}

export const streamStreamJoinHandler: NodeHandler<StreamStreamJoinNode> = {
  role: 'processor',
  createProcessor: (node) => new StreamStreamJoinProcessor(node),
};
