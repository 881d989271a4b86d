import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { KeyValueMapper } from '../types.js';

/** KStream selectKey (and the re-keying step of groupBy): new key, same value (marks for repartitioning). */
export interface SelectKeyNode extends NodeBase<'SelectKey'> {
  readonly selector: KeyValueMapper<any, any, any>;
}

export function createSelectKeyNode(builder: GraphBuilder, parent: string, selector: KeyValueMapper<any, any, any>, name?: string): SelectKeyNode {
  if (typeof selector !== 'function') throw new TypeError("key selector can't be null");
  return builder.addNode<SelectKeyNode>({ kind: 'SelectKey', name: builder.nameOr(name, Prefix.selectKey), parents: [parent], stores: [], selector });
}

class SelectKeyProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  constructor(private readonly selector: KeyValueMapper<unknown, unknown, unknown>) {}
  init(context: ProcessorContext): void {
    this.ctx = context;
  }
  process(record: Record<unknown, unknown>): void {
    this.ctx.forward(record.withKey(this.selector(record.key, record.value)));
  }
}

export function selectKeyProcessor(node: SelectKeyNode): Processor<unknown, unknown> {
  return new SelectKeyProcessor(node.selector);
}

export const selectKeyHandler: NodeHandler<SelectKeyNode> = { role: 'processor', createProcessor: selectKeyProcessor };
