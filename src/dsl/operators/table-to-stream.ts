import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Change } from '../../processor/change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';

/** KTable toStream: forwards the new value of each Change; tombstones become null values. */
export interface TableToStreamNode extends NodeBase<'TableToStream'> {}

export function createTableToStreamNode(builder: GraphBuilder, parent: string, name?: string): TableToStreamNode {
  return builder.addNode<TableToStreamNode>({ kind: 'TableToStream', name: builder.nameOr(name, Prefix.tableToStream), parents: [parent], stores: [] });
}

class TableToStreamProcessor implements Processor<unknown, Change<unknown>, unknown, unknown> {
  private ctx!: ProcessorContext;
  init(context: ProcessorContext): void {
    this.ctx = context;
  }
  process(record: Record<unknown, Change<unknown>>): void {
    this.ctx.forward(record.withValue(record.value.newValue));
  }
}

export function tableToStreamProcessor(_node: TableToStreamNode): Processor<unknown, Change<unknown>, unknown, unknown> {
  return new TableToStreamProcessor();
}

export const tableToStreamHandler: NodeHandler<TableToStreamNode> = { role: 'processor', createProcessor: tableToStreamProcessor };
