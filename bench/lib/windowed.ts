// W2: the aggregator and the result comparison shared by the Tributary runner, the expectation and (in Java)
// bench/java/.../ClickWindowDriverRun.java.

/** Event time step between consecutive input records, so that any input size spans ~33 five-minute windows
 *  (10 ms for 1M records). */
export function w2StepMs(records: number): number {
  return Math.max(1, Math.round((33 * 5 * 60_000) / records));
}

/** Aggregate "count,sumOfDwellSeconds" plus one click. */
export function addClick(agg: string, value: string): string {
  const comma = agg.indexOf(',');
  const e = JSON.parse(value) as { ms: number };
  return `${Number(agg.slice(0, comma)) + 1},${Number(agg.slice(comma + 1)) + Math.floor(e.ms / 1000)}`;
}

/**
 * What must be equal between contenders: on update, the last value emitted per window (how many intermediate
 * updates an engine emits is its own business); on close, every emitted result. Sorted lines "key\tvalue".
 */
export function windowedResult(outputs: readonly (readonly [string, string])[], mode: 'update' | 'final'): string[] {
  if (mode === 'final') return outputs.map(([k, v]) => `${k}\t${v}`).sort();
  const last = new Map<string, string>();
  for (const [k, v] of outputs) last.set(k, v);
  return [...last.entries()].map(([k, v]) => `${k}\t${v}`).sort();
}
