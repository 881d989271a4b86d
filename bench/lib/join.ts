// W3: clicks left-join purchases by user within 30 minutes. The input generator, the joiner (byte for byte that
// of bench/java/.../ClickPurchaseJoin.java) and the exact expectation shared by the broker workload (W3) and the
// test-driver workload (W4 join).
//
// Why the expectation is exact whatever order an engine interleaves the two topics in: the join grace is the
// whole event-time span of the input, so no record is ever late and the join stores retain every record until
// the end; so every (click, purchase) pair within 30 minutes joins exactly once, whichever side comes second,
// and a click without a purchase within 30 minutes is emitted exactly once as (click, null): either at once
// (when the purchases of its partition are already past its window) or when the bench closes the windows with
// a click far in the future. Both topics are written in timestamp order, keyed by user, with the same
// partitioner.
import { generateClicks, seededRandom, type ClickInput } from './clicks.js';

export const JOIN_WINDOW_MS = 30 * 60_000;
/** Event time covered by the clicks and by the purchases. */
export const JOIN_SPAN_MS = 4 * 3_600_000;
/** Grace of the join windows: the whole span, see above. */
export const JOIN_GRACE_MS = JOIN_SPAN_MS;

export interface TimedInput extends ClickInput {
  readonly timestamp: number;
}

export interface JoinInput {
  readonly clicks: TimedInput[];
  readonly purchases: TimedInput[];
  /** Timestamp of the first click and purchase. */
  readonly baseTs: number;
  /** A click at this timestamp closes the window of every input click. */
  readonly closeTs: number;
}

/**
 * Event timestamps start half a day before now: brokers reject records more than an hour in the future
 * (log.message.timestamp.after.max.ms) and delete segments older than their retention (7 days by default).
 */
export function joinBaseTimestamp(now = Date.now()): number {
  return Math.floor(now / 3_600_000) * 3_600_000 - 12 * 3_600_000;
}

/** `clicks` clicks (bench/lib/clicks.ts, seed 1) and clicks/10 purchases (seed 2) by the same skewed users. */
export function generateJoinInput(clicks: number, baseTs: number): JoinInput {
  const purchases = Math.max(1, Math.round(clicks / 10));
  const timedClicks = generateClicks(clicks, 1).map((c, id) => ({ ...c, timestamp: baseTs + Math.floor((id * JOIN_SPAN_MS) / clicks) }));
  const random = seededRandom(2);
  const users = Math.max(100, Math.floor(clicks / 20));
  const timedPurchases: TimedInput[] = new Array(purchases);
  for (let id = 0; id < purchases; id++) {
    const user = `u${Math.floor(random() * random() * users)}`;
    const amount = 100 + Math.floor(random() * 20_000);
    const sku = `s${Math.floor(random() * 5000)}`;
    timedPurchases[id] = { key: user, value: `{"id":${id},"user":"${user}","sku":"${sku}","amount":${amount}}`, timestamp: baseTs + Math.floor((id * JOIN_SPAN_MS) / purchases) };
  }
  return { clicks: timedClicks, purchases: timedPurchases, baseTs, closeTs: baseTs + JOIN_SPAN_MS + JOIN_WINDOW_MS + JOIN_GRACE_MS + 1 };
}

/** A probe pair for latency: a click and a purchase of a user of its own, at the same timestamp. */
export function probePair(i: number, clickId: number, purchaseId: number, timestamp: number): [TimedInput, TimedInput] {
  const user = `probe${i}`;
  return [
    { key: user, value: `{"id":${clickId},"user":"${user}","page":"/p/${i % 10_000}","action":"click","ms":1000,"agent":"probe","ref":"probe"}`, timestamp },
    { key: user, value: `{"id":${purchaseId},"user":"${user}","sku":"s0","amount":100}`, timestamp },
  ];
}

/** The joiner: click id, purchase id (null when none), the click's page and the purchase's amount. */
export function joinClickPurchase(click: string, purchase: string | null): string {
  const c = JSON.parse(click) as { id: number; page: string };
  if (purchase === null) return `{"click":${c.id},"purchase":null,"page":"${c.page}","amount":null}`;
  const p = JSON.parse(purchase) as { id: number; amount: number };
  return `{"click":${c.id},"purchase":${p.id},"page":"${c.page}","amount":${p.amount}}`;
}

/** Click and purchase id of a joined value (purchase -1 for a left-only result). */
export function joinedIds(value: string): [number, number] {
  const comma = value.indexOf(',');
  const click = Number(value.slice(9, comma));
  const end = value.indexOf(',', comma + 1);
  const purchase = value.slice(comma + 12, end);
  return [click, purchase === 'null' ? -1 : Number(purchase)];
}

export interface JoinExpectation {
  /** Pair ids (see pairId) of every expected result. */
  readonly pairs: Set<number>;
  readonly inner: number;
  readonly leftOnly: number;
}

/** A number naming a (click, purchase) pair; purchase -1 is the left-only result. */
export function pairId(click: number, purchase: number, purchaseCount: number): number {
  return click * (purchaseCount + 2) + purchase + 1;
}

/** Every inner result (|click ts - purchase ts| <= 30 min, same user) and every left-only click. */
export function expectJoin(clicks: readonly TimedInput[], purchases: readonly TimedInput[], purchaseCount: number): JoinExpectation {
  const byUser = new Map<string, number[]>();
  purchases.forEach((p, id) => {
    const list = byUser.get(p.key);
    if (list === undefined) byUser.set(p.key, [id]);
    else list.push(id);
  });
  const pairs = new Set<number>();
  let inner = 0;
  let leftOnly = 0;
  clicks.forEach((c, id) => {
    let matched = false;
    for (const pid of byUser.get(c.key) ?? []) {
      if (Math.abs(purchases[pid]!.timestamp - c.timestamp) <= JOIN_WINDOW_MS) {
        pairs.add(pairId(id, pid, purchaseCount));
        inner++;
        matched = true;
      }
    }
    if (!matched) {
      pairs.add(pairId(id, -1, purchaseCount));
      leftOnly++;
    }
  });
  return { pairs, inner, leftOnly };
}
