// The W1 workload: JSON click events keyed by user, a filter that drops scrolls and a projection. The two
// functions are byte for byte those of bench/java/.../ClickTransform.java, so every contender's output can be
// compared with the expectation computed here.
import { seededRandom } from '../../src/testing/seeded-random.js';

export { seededRandom };

export interface ClickInput {
  readonly key: string;
  readonly value: string;
}

const ACTIONS = ['view', 'view', 'view', 'view', 'view', 'click', 'click', 'click', 'scroll', 'scroll'] as const;

/** `count` click events; event ids are 0..count-1, so an output can be matched to its input by id. */
export function generateClicks(count: number, seed = 1): ClickInput[] {
  const random = seededRandom(seed);
  const users = Math.max(100, Math.floor(count / 20));
  const out: ClickInput[] = new Array(count);
  for (let id = 0; id < count; id++) {
    const user = `u${Math.floor(random() * random() * users)}`;
    const page = `/p/${Math.floor(random() * 10_000)}`;
    const action = ACTIONS[Math.floor(random() * ACTIONS.length)]!;
    const ms = Math.floor(random() * 600_000);
    out[id] = { key: user, value: `{"id":${id},"user":"${user}","page":"${page}","action":"${action}","ms":${ms},"agent":"Mozilla/5.0 (X11; Linux x86_64)","ref":"https://example.com/r/${id % 997}"}` };
  }
  return out;
}

interface Click {
  readonly id: number;
  readonly user: string;
  readonly page: string;
  readonly action: string;
  readonly ms: number;
}

/** The filter: scroll events are dropped. */
export function keepClick(value: string): boolean {
  return (JSON.parse(value) as Click).action !== 'scroll';
}

/** The mapValues: a smaller event with the dwell time in whole seconds. */
export function projectClick(value: string): string {
  const e = JSON.parse(value) as Click;
  return `{"id":${e.id},"user":"${e.user}","page":"${e.page}","action":"${e.action}","secs":${Math.floor(e.ms / 1000)}}`;
}

/** The expected output per input id (undefined where the filter drops the event). */
export function expectedOutputs(inputs: readonly ClickInput[]): (string | undefined)[] {
  return inputs.map((r) => (keepClick(r.value) ? projectClick(r.value) : undefined));
}

/** The id of an output value (its first field). */
export function outputId(value: string): number {
  const comma = value.indexOf(',');
  return Number(value.slice(6, comma));
}
