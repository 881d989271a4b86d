import { seededRandom } from '../../src/testing/seeded-random.js';
import type { ClickEvent, PurchaseEvent } from './events.js';

export type AttributionInput = { readonly click: ClickEvent } | { readonly purchase: PurchaseEvent };

const PAGES = ['/', '/shoes', '/shirts', '/sale', '/cart', '/checkout'] as const;
const ACTIONS = ['click', 'click', 'scroll', 'hover'] as const;
const DEVICES = ['mobile', 'desktop', 'tablet'] as const;

export interface AttributionGeneratorOptions {
  readonly seed?: number;
  readonly start?: number;
  readonly users?: number;
  /** Share of events delayed within the lateness (out of order). */
  readonly outOfOrder?: number;
  /** Share of events delayed past the 10-minute lateness (late: they may not join). */
  readonly late?: number;
}

/**
 * An endless stream of click events and purchases in arrival order: a user's purchase follows one of their clicks
 * by 0-40 minutes (so some fall outside the 30-minute attribution window); event time advances ~1 s per event.
 */
export function* attributionEvents(options: AttributionGeneratorOptions = {}): Generator<AttributionInput> {
  const rnd = seededRandom(options.seed ?? 7);
  const users = options.users ?? 50;
  const outOfOrder = options.outOfOrder ?? 0.05;
  const late = options.late ?? 0.01;
  let now = options.start ?? Date.UTC(2026, 0, 1, 9, 0, 0);
  const pending: { at: number; event: AttributionInput }[] = [];
  const iso = (t: number): string => new Date(t).toISOString();
  for (let n = 0; ; n++) {
    now += Math.floor(rnd() * 2000);
    const user = `u${Math.floor(rnd() * users)}`;
    // event time may lag behind arrival: a little (out of order) or a lot (late)
    const r = rnd();
    const lag = r < late ? 11 * 60_000 + Math.floor(rnd() * 10 * 60_000) : r < late + outOfOrder ? Math.floor(rnd() * 5 * 60_000) : 0;
    const t = now - lag;
    if (rnd() < 0.85) {
      const click: ClickEvent = {
        user_id: user, page_url: PAGES[Math.floor(rnd() * PAGES.length)]!, action: ACTIONS[Math.floor(rnd() * ACTIONS.length)]!,
        timestamp: iso(t), session_id: `${user}-s${Math.floor(t / 3_600_000)}`, device_type: DEVICES[Math.floor(rnd() * DEVICES.length)]!, geo_location: 'EU',
      };
      yield { click };
      if (click.action === 'click' && rnd() < 0.2) {
        const at = t + Math.floor(rnd() * 40 * 60_000);
        pending.push({ at, event: { purchase: { user_id: user, product_id: `p${Math.floor(rnd() * 100)}`, amount: Math.round(rnd() * 20000) / 100, timestamp: iso(at) } } });
      }
    }
    pending.sort((a, b) => a.at - b.at);
    while (pending.length > 0 && pending[0]!.at <= now) yield pending.shift()!.event;
  }
}
