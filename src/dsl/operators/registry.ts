import { sessionWindowAggregateHandler } from './session-window-aggregate.js';
import { slidingWindowAggregateHandler } from './sliding-window-aggregate.js';
import { streamJoinWindowHandler } from './stream-join-window.js';
import { streamStreamJoinHandler } from './stream-stream-join.js';
import { streamTableJoinHandler } from './stream-table-join.js';
import { suppressHandler } from './suppress.js';
import { tableMergeHandler, tableTableJoinHandler } from './table-table-join.js';
import { timeWindowAggregateHandler } from './time-window-aggregate.js';
import type { NodeHandlers } from '../../graph/handler.js';
import { streamAggregateHandler } from './aggregate-internals.js';
import { branchChildHandler, branchHandler } from './branch.js';
import { filterHandler } from './filter.js';
import { flatMapValuesHandler } from './flat-map-values.js';
import { flatMapHandler } from './flat-map.js';
import { foreachHandler } from './foreach.js';
import { mapValuesHandler } from './map-values.js';
import { mapHandler } from './map.js';
import { mergeHandler } from './merge.js';
import { passThroughHandler } from './pass-through.js';
import { peekHandler } from './peek.js';
import { pipeHandler } from './pipe.js';
import { processHandler } from './process.js';
import { selectKeyHandler } from './select-key.js';
import { sinkHandler } from './sink.js';
import { sourceHandler } from './source.js';
import { tableAggregateHandler } from './table-aggregate-internals.js';
import { tableFilterHandler } from './table-filter.js';
import { tableGroupByHandler } from './table-group-by.js';
import { tableMapValuesHandler } from './table-map-values.js';
import { tableSourceHandler } from './table-source.js';
import { tableToStreamHandler } from './table-to-stream.js';
import { toTableHandler } from './to-table.js';

/** One handler per node kind; the mapped type makes a missing kind a compile error. */
export const nodeHandlers: NodeHandlers = Object.freeze({
  Source: sourceHandler,
  Sink: sinkHandler,
  Filter: filterHandler,
  Map: mapHandler,
  MapValues: mapValuesHandler,
  FlatMap: flatMapHandler,
  FlatMapValues: flatMapValuesHandler,
  SelectKey: selectKeyHandler,
  Peek: peekHandler,
  Foreach: foreachHandler,
  Branch: branchHandler,
  BranchChild: branchChildHandler,
  Merge: mergeHandler,
  PassThrough: passThroughHandler,
  Pipe: pipeHandler,
  Process: processHandler,
  ToTable: toTableHandler,
  StreamAggregate: streamAggregateHandler,
  TableSource: tableSourceHandler,
  TableFilter: tableFilterHandler,
  TableMapValues: tableMapValuesHandler,
  TableToStream: tableToStreamHandler,
  TableGroupBy: tableGroupByHandler,
  TableAggregate: tableAggregateHandler,
  TimeWindowAggregate: timeWindowAggregateHandler,
  SlidingWindowAggregate: slidingWindowAggregateHandler,
  SessionWindowAggregate: sessionWindowAggregateHandler,
  Suppress: suppressHandler,
  StreamJoinWindow: streamJoinWindowHandler,
  StreamStreamJoin: streamStreamJoinHandler,
  StreamTableJoin: streamTableJoinHandler,
  TableTableJoin: tableTableJoinHandler,
  TableMerge: tableMergeHandler,
});
