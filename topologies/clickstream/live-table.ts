import type { PageStats } from './topology.js';

/** The latest statistics per (window start, page), as the topology updates them. */
export class StatsTable {
  readonly #rows = new Map<number, Map<string, PageStats>>();
  updates = 0;

  apply(windowStart: number, page: string, stats: PageStats | null): void {
    this.updates++;
    let window = this.#rows.get(windowStart);
    if (window === undefined) this.#rows.set(windowStart, (window = new Map()));
    if (stats === null) window.delete(page);
    else window.set(page, stats);
  }

  /** Window starts, newest first. */
  windows(): number[] {
    return [...this.#rows.keys()].sort((a, b) => b - a);
  }

  rows(windowStart: number): [string, PageStats][] {
    return [...(this.#rows.get(windowStart) ?? new Map<string, PageStats>()).entries()].sort((a, b) => b[1].views - a[1].views || a[0].localeCompare(b[0]));
  }

  /** Text of the newest `windows` windows; one line per page. */
  render(windows: number, windowMs: number): string[] {
    const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
    const lines: string[] = [];
    for (const start of this.windows().slice(0, windows)) {
      lines.push(`window ${hhmm(start)}-${hhmm(start + windowMs)} UTC`);
      lines.push(`  ${'page'.padEnd(22)}${'views'.padStart(7)}${'clicks'.padStart(8)}${'users≈'.padStart(8)}${'CTR'.padStart(8)}`);
      for (const [page, s] of this.rows(start)) {
        lines.push(`  ${page.padEnd(22)}${String(s.views).padStart(7)}${String(s.clicks).padStart(8)}${String(s.uniqueUsers).padStart(8)}${`${(s.ctr * 100).toFixed(1)}%`.padStart(8)}`);
      }
    }
    return lines;
  }
}
