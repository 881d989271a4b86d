import type { StreamState } from './handle-state.js';
import { KStream } from './kstream.js';
import { createBranchChildNode, createBranchNode } from './operators/branch.js';
import type { Branched } from './options.js';
import type { Predicate } from './types.js';

/**
 * The branches of a split(). Each record goes to the first branch whose predicate matches, else to the
 * default branch, else it is dropped. Branch `i` (from 1) is named `<split name><branch name or i>`; the
 * default branch `<split name><name or 0>`. The result map is keyed by those names.
 */
export class BranchedKStream<K, V> {
  readonly #state: StreamState<K, V>;
  readonly #splitName: string;
  readonly #branches: { [name: string]: KStream<K, V> } = {};
  #count = 0;
  #closed = false;

  /** @internal */
  constructor(state: StreamState<K, V>, splitName: string) {
    this.#state = state;
    this.#splitName = splitName;
    createBranchNode(state.graph, state.node, splitName);
  }

  /** Adds a branch for records matching `predicate` (and not matched by an earlier branch). */
  branch(predicate: Predicate<K, V>, branched: Branched<K, V> = {}): this {
    if (typeof predicate !== 'function') throw new TypeError("predicate can't be null");
    this.#add(predicate, branched, String(++this.#count));
    return this;
  }

  /** Adds the branch for records no predicate matched and returns all branches. */
  defaultBranch(branched: Branched<K, V> = {}): { readonly [name: string]: KStream<K, V> } {
    this.#add(undefined, branched, '0');
    return this.#finish();
  }

  /** Returns all branches; records no predicate matched are dropped. */
  noDefaultBranch(): { readonly [name: string]: KStream<K, V> } {
    return this.#finish();
  }

  #add(predicate: Predicate<K, V> | undefined, branched: Branched<K, V>, position: string): void {
    if (this.#closed) throw new TypeError('this split() is complete; start a new split() to add branches');
    const s = this.#state;
    const name = this.#splitName + (branched.name ?? position);
    const node = createBranchChildNode(s.graph, this.#splitName, name, predicate as never, predicate === undefined ? Number.MAX_SAFE_INTEGER : this.#count);
    const stream = new KStream<K, V>({ ...s, node: node.name });
    if (branched.chain === undefined) {
      this.#branches[name] = stream;
      return;
    }
    const chained = branched.chain(stream);
    if (chained instanceof KStream) this.#branches[name] = chained as KStream<K, V>;
  }

  #finish(): { readonly [name: string]: KStream<K, V> } {
    this.#closed = true;
    return Object.freeze({ ...this.#branches });
  }
}

