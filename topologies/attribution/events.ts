/** A `click-events` record as the reference applications define it; `timestamp` is ISO 8601 event time. */
export interface ClickEvent {
  readonly user_id: string;
  readonly page_url: string;
  readonly action: 'click' | 'scroll' | 'hover';
  readonly timestamp: string;
  readonly session_id: string;
  readonly device_type: string;
  readonly geo_location: string;
}

/** A `purchase-events` record; `timestamp` is ISO 8601 event time. */
export interface PurchaseEvent {
  readonly user_id: string;
  readonly product_id: string;
  readonly amount: number;
  readonly timestamp: string;
}

/** One row of click_purchase_attribution: a click and a purchase 0-30 minutes after it, or the click alone. */
export interface Attribution {
  readonly user_id: string;
  readonly clicked_page: string;
  readonly click_time: string;
  readonly product_id: string | null;
  readonly purchase_amount: number | null;
  readonly purchase_time: string | null;
  readonly time_to_purchase_seconds: number | null;
}
