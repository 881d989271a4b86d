import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { ConfigError } from '../errors.js';

// Several components (two KafkaStreams instances, a sink) may share one registry: a metric already
// registered under the name is reused instead of failing on the duplicate name.

function existing<M>(registry: Registry, name: string, type: new (...args: never[]) => M): M | undefined {
  const found = registry.getSingleMetric(name);
  if (found === undefined) return undefined;
  if (!(found instanceof type)) throw new ConfigError(`metric ${name} is already registered with another type`);
  return found;
}

/** The counter `name` of `registry`, created when missing. */
export function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return (existing(registry, name, Counter) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

/** The gauge `name` of `registry`, created when missing. */
export function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Gauge<L> {
  return (existing(registry, name, Gauge) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames, registers: [registry] });
}

/** The histogram `name` of `registry`, created when missing. */
export function histogram<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
  return (existing(registry, name, Histogram) as Histogram<L> | undefined) ?? new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}
