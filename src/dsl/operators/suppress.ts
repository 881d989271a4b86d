import { ProcessingError } from '../../errors.js';
import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import type { Change } from '../../processor/change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { BufferFullStrategy } from '../suppressed.js';
import { Windowed } from '../windows.js';

/**
 * KTable suppress (Kafka's KTableSuppressProcessor with an in-memory time-ordered buffer).
 *
 * - Buffer time of a key is fixed at its first insertion; later updates replace the value and record
 *   context (the emitted timestamp is the latest update's) but keep the position.
 * - On every record: stream time (the operator's own) advances, the update is buffered, then every entry
 *   with `bufferTime <= streamTime - wait` is emitted in (bufferTime, key) order; then, over capacity,
 *   `emitEarly` emits the oldest entries, `shutDown` fails.
 * - untilWindowCloses: bufferTime = window end, wait = the upstream window's grace (+ gap for sessions);
 *   tombstones are dropped at emission. untilTimeLimit: bufferTime = record ts, tombstones forwarded.
 */
export interface SuppressNode extends NodeBase<'Suppress'> {
  readonly mode: 'windowClose' | 'timeLimit';
  readonly waitMs: number;
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly whenFull: BufferFullStrategy;
}

export function createSuppressNode(builder: GraphBuilder, parent: string, name: string, fields: Omit<SuppressNode, 'kind' | 'name' | 'parents' | 'stores'>): SuppressNode {
  return builder.addNode<SuppressNode>({ kind: 'Suppress', name, parents: [parent], stores: [], ...fields });
}

interface Buffered {
  readonly id: string;
  readonly bufferTime: number;
  record: Record<unknown, Change<unknown>>;
  size: number;
}

/** Identity of a (possibly windowed) key inside the buffer; orders like Kafka's serialized keys for strings. */
function keyIdentity(key: unknown): string {
  if (key instanceof Windowed) return `${keyIdentity(key.key)}\u0000${String(key.window.start).padStart(16, '0')}\u0000${String(key.window.end).padStart(16, '0')}`;
  return typeof key === 'string' ? key : JSON.stringify(key);
}

function sizeOf(record: Record<unknown, Change<unknown>>): number {
  const v = record.value.newValue;
  return keyIdentity(record.key).length + (v === null ? 0 : typeof v === 'string' ? v.length : JSON.stringify(v)?.length ?? 8) + 8;
}

class SuppressProcessor implements Processor<unknown, Change<unknown>> {
  private ctx!: ProcessorContext<unknown, Change<unknown>>;
  private observedStreamTime = -1;
  private readonly buffer = new Map<string, Buffered>();
  private bytes = 0;

  constructor(private readonly node: SuppressNode) {}

  init(context: ProcessorContext<unknown, Change<unknown>>): void {
    this.ctx = context;
  }

  process(record: Record<unknown, Change<unknown>>): void {
    if (record.timestamp > this.observedStreamTime) this.observedStreamTime = record.timestamp;
    const id = keyIdentity(record.key);
    const existing = this.buffer.get(id);
    const size = sizeOf(record);
    if (existing === undefined) {
      const bufferTime = this.node.mode === 'windowClose' ? this.windowEnd(record.key) : record.timestamp;
      this.buffer.set(id, { id, bufferTime, record, size });
    } else {
      this.bytes -= existing.size;
      existing.record = record;
      existing.size = size;
    }
    this.bytes += size;
    const expiry = this.observedStreamTime - this.node.waitMs;
    this.evictWhile((oldest) => oldest.bufferTime <= expiry);
    if (this.overCapacity()) {
      if (this.node.whenFull === 'shutDown') {
        throw new ProcessingError(
          `suppress buffer of ${this.node.name} is full (${this.buffer.size} records, ${this.bytes} bytes; limits ${this.node.maxRecords} records, ${this.node.maxBytes} bytes); raise the limits or use emitEarlyWhenFull()`,
          { nodeName: this.node.name },
        );
      }
      this.evictWhile(() => this.overCapacity());
    }
  }

  private windowEnd(key: unknown): number {
    if (!(key instanceof Windowed)) throw new ProcessingError('suppress(untilWindowCloses) needs windowed keys; apply it to the result of a windowed aggregation', { nodeName: this.node.name });
    return key.window.end;
  }

  private overCapacity(): boolean {
    return this.buffer.size > this.node.maxRecords || this.bytes > this.node.maxBytes;
  }

  private evictWhile(condition: (oldest: Buffered) => boolean): void {
    if (this.buffer.size === 0) return;
    const ordered = [...this.buffer.values()].sort((a, b) => a.bufferTime - b.bufferTime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const entry of ordered) {
      if (!condition(entry)) break;
      this.buffer.delete(entry.id);
      this.bytes -= entry.size;
      if (this.node.mode === 'windowClose' && entry.record.value.newValue === null) continue;
      this.ctx.forward(entry.record);
    }
  }
}

export function suppressProcessor(node: SuppressNode): Processor<unknown, Change<unknown>> {
  return new SuppressProcessor(node);
}

export const suppressHandler: NodeHandler<SuppressNode> = {
  role: 'processor',
  createProcessor: suppressProcessor,
  enableOldValues(node, pass) {
    pass.markSendsOldValues(node.name);
    for (const parent of node.parents) pass.requestFromParent(parent);
  },
};
