import type { SessionWindowAggregateNode } from '../dsl/operators/session-window-aggregate.js';
import type { SlidingWindowAggregateNode } from '../dsl/operators/sliding-window-aggregate.js';
import type { StreamJoinWindowNode } from '../dsl/operators/stream-join-window.js';
import type { StreamStreamJoinNode } from '../dsl/operators/stream-stream-join.js';
import type { StreamTableJoinNode } from '../dsl/operators/stream-table-join.js';
import type { SuppressNode } from '../dsl/operators/suppress.js';
import type { TableMergeNode, TableTableJoinNode } from '../dsl/operators/table-table-join.js';
import type { TimeWindowAggregateNode } from '../dsl/operators/time-window-aggregate.js';
import type { StreamAggregateNode } from '../dsl/operators/aggregate-internals.js';
import type { BranchChildNode, BranchNode } from '../dsl/operators/branch.js';
import type { FilterNode } from '../dsl/operators/filter.js';
import type { FlatMapValuesNode } from '../dsl/operators/flat-map-values.js';
import type { FlatMapNode } from '../dsl/operators/flat-map.js';
import type { ForeachNode } from '../dsl/operators/foreach.js';
import type { MapValuesNode } from '../dsl/operators/map-values.js';
import type { MapNode } from '../dsl/operators/map.js';
import type { MergeNode } from '../dsl/operators/merge.js';
import type { PassThroughNode } from '../dsl/operators/pass-through.js';
import type { PeekNode } from '../dsl/operators/peek.js';
import type { PipeNode } from '../dsl/operators/pipe.js';
import type { ProcessNode } from '../dsl/operators/process.js';
import type { SelectKeyNode } from '../dsl/operators/select-key.js';
import type { SinkNode } from '../dsl/operators/sink.js';
import type { SourceNode } from '../dsl/operators/source.js';
import type { TableAggregateNode } from '../dsl/operators/table-aggregate-internals.js';
import type { TableFilterNode } from '../dsl/operators/table-filter.js';
import type { TableGroupByNode } from '../dsl/operators/table-group-by.js';
import type { TableMapValuesNode } from '../dsl/operators/table-map-values.js';
import type { TableSourceNode } from '../dsl/operators/table-source.js';
import type { TableToStreamNode } from '../dsl/operators/table-to-stream.js';
import type { ToTableNode } from '../dsl/operators/to-table.js';

/**
 * Every node a topology can hold. Window, join and suppress nodes join this union; the handler registry
 * (`src/dsl/operators/registry.ts`) then fails to compile until they are handled.
 */
export type GraphNode =
  | SourceNode
  | SinkNode
  | FilterNode
  | MapNode
  | MapValuesNode
  | FlatMapNode
  | FlatMapValuesNode
  | SelectKeyNode
  | PeekNode
  | ForeachNode
  | BranchNode
  | BranchChildNode
  | MergeNode
  | PassThroughNode
  | PipeNode
  | ProcessNode
  | ToTableNode
  | StreamAggregateNode
  | TableSourceNode
  | TableFilterNode
  | TableMapValuesNode
  | TableToStreamNode
  | TableGroupByNode
  | TableAggregateNode
  | TimeWindowAggregateNode
  | SlidingWindowAggregateNode
  | SessionWindowAggregateNode
  | SuppressNode
  | StreamJoinWindowNode
  | StreamStreamJoinNode
  | StreamTableJoinNode
  | TableTableJoinNode
  | TableMergeNode;

export type NodeKind = GraphNode['kind'];
export type NodeOf<K extends NodeKind> = Extract<GraphNode, { readonly kind: K }>;
