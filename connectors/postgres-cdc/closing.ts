/**
 * Closing connections within a bound. `pg`'s end() says goodbye and waits for the server to close the socket, and
 * kafkajs's disconnect() waits for requests in flight: against a server that is paused, black-holed or still
 * answering a connect, either may never finish, and a stopping source must not wait on them.
 *
 * @example
 * await closePgClient(client);              // graceful when the server answers, the socket destroyed after 1 s otherwise
 * await within(producer.disconnect(), 2000); // resolves after 2 s at the latest
 */
import type pg from 'pg';

interface WithSocket {
  readonly connection?: { readonly stream?: { destroy(): void } };
}

/** Ends a client, destroying its socket when the server does not close it within `graceMs` (at once when `graceMs` is 0). */
export async function closePgClient(client: pg.Client | null | undefined, graceMs = 1000): Promise<void> {
  if (!client) return;
  const destroy = (): void => (client as unknown as WithSocket).connection?.stream?.destroy();
  if (graceMs <= 0) {
    destroy();
    await within(client.end().catch(() => undefined), 100);
    return;
  }
  await within(client.end().catch(() => undefined), graceMs, destroy);
}

/** Waits for `promise`, but not longer than `ms`; calls `onTimeout` if the time ran out first. Never rejects. */
export async function within(promise: Promise<unknown>, ms: number, onTimeout?: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  const result = await Promise.race([promise.then(() => 'done' as const, () => 'done' as const), timeout]);
  clearTimeout(timer);
  if (result === 'timeout') onTimeout?.();
}
