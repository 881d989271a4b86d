/**
 * Whether `work` settles within `timeoutMs`; the work goes on either way (a shutdown that outlasts its
 * deadline is not abandoned, only no longer waited for). A rejection of `work` counts as settled.
 *
 * @example
 * const done = await settlesWithin(shutdown, 8000); // false: still running after 8 s
 */
export async function settlesWithin(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([work.then(() => true as const, () => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
