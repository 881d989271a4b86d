import { seededRandom } from '../../src/testing/seeded-random.js';
import type { ClickEvent } from './events.js';


export const PAGES = ['/', '/pricing', '/docs', '/docs/streams', '/docs/windows', '/blog', '/blog/exactly-once', '/signup', '/login', '/careers'] as const;

export interface GeneratorOptions {
  readonly seed?: number;
  /** Event time of the first event (ms). */
  readonly start?: number;
  /** Active users at a time. */
  readonly users?: number;
  /** Share of events delayed a little (out of order, within grace). */
  readonly outOfOrder?: number;
  /** Share of events delayed past the grace period (late: dropped by the topology). */
  readonly late?: number;
}

/**
 * An endless, realistic clickstream in arrival order: users open browsing sessions, view pages (popular
 * pages more often, Zipf-like), sometimes click on them, and leave; event time advances ~200 ms per event.
 * Some events arrive out of order (up to 50 s behind, within the 1-minute grace) and a few very late (10-20 min behind).
 */
export function* clickstream(options: GeneratorOptions = {}): Generator<ClickEvent> {
  const rnd = seededRandom(options.seed ?? 42);
  const users = options.users ?? 300;
  const outOfOrder = options.outOfOrder ?? 0.05;
  const late = options.late ?? 0.01;
  let now = options.start ?? Date.UTC(2026, 0, 1, 9, 0, 0);
  const sessions = new Map<string, { id: string; page: string; left: number }>();
  const delayed: { event: ClickEvent; due: number }[] = [];
  let sessionCounter = 0;
  const pick = (): string => PAGES[Math.min(PAGES.length - 1, Math.floor(PAGES.length * rnd() ** 2))]!;
  for (;;) {
    now += Math.floor(50 + rnd() * 300);
    const user = `user-${Math.floor(users * rnd() ** 1.5)}`;
    let s = sessions.get(user);
    if (s === undefined || s.left <= 0) {
      s = { id: `s-${++sessionCounter}`, page: pick(), left: 1 + Math.floor(rnd() * 12) };
      sessions.set(user, s);
    } else if (rnd() < 0.6) {
      s.page = pick();
    }
    s.left--;
    const ctrByPage = PAGES.indexOf(s.page as (typeof PAGES)[number]) === 7 ? 0.05 : 0.25;
    const event: ClickEvent = { user, session: s.id, page: s.page, type: rnd() < ctrByPage ? 'click' : 'view', ts: now };
    const r = rnd();
    if (r < late) delayed.push({ event, due: now + 600_000 + Math.floor(rnd() * 600_000) });
    else if (r < late + outOfOrder) delayed.push({ event, due: now + Math.floor(rnd() * 50_000) });
    else yield event;
    for (let i = delayed.length - 1; i >= 0; i--) {
      if (delayed[i]!.due <= now) {
        yield delayed[i]!.event;
        delayed.splice(i, 1);
      }
    }
  }
}
