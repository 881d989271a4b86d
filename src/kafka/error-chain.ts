/**
 * An error and what it wraps, outermost first: kafkajs puts the broker's answer under `originalError` (e.g. in
 * KafkaJSNumberOfRetriesExceeded), Tributary's errors under `cause`. Bounded, so a cyclic chain ends.
 *
 * @example
 * const code = [...errorChain(error)].map((e) => e['code']).find((c) => typeof c === 'number');
 */
export function* errorChain(error: unknown, maxDepth = 8): Generator<{ readonly [key: string]: unknown }> {
  let current: unknown = error;
  for (let depth = 0; current !== null && typeof current === 'object' && depth < maxDepth; depth++) {
    yield current as { readonly [key: string]: unknown };
    const c = current as { originalError?: unknown; cause?: unknown };
    current = c.originalError ?? c.cause;
  }
}
