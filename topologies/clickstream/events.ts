/** One event of the clickstream: a page view or a click on a page, by a user in a browsing session. */
export interface ClickEvent {
  readonly user: string;
  readonly session: string;
  readonly page: string;
  readonly type: 'view' | 'click';
  /** Event time (ms since epoch), when the browser recorded it; it may arrive late or out of order. */
  readonly ts: number;
}
