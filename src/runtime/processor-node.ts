import { atRecord, ProcessingError, type StreamsError } from '../errors.js';
import { internalTopicName } from '../graph/naming.js';
import type { GraphNode } from '../graph/nodes.js';
import type { Subtopology, Topology } from '../graph/topology.js';
import type { AnyProcessor, Cancellable, PunctuationType, RecordMetadata, TaskId } from '../processor/processor.js';
import type { Headers, Record } from '../processor/record.js';
import type { StateStore } from '../state/state-store.js';
import type { InternalProcessorContext } from './internal-context.js';
import type { Task } from './task.js';

/** A processor plus the context it forwards through. */
export class ProcessorNode implements InternalProcessorContext<unknown, unknown> {
  children: ProcessorNode[] = [];
  childByName = new Map<string, ProcessorNode>();
  // Plain fields read and reset at commit: counting costs an increment per record, no lookup.
  recordsIn = 0;
  recordsOut = 0;
  dropped = 0;

  constructor(
    readonly task: Task,
    readonly node: GraphNode,
    readonly processor: AnyProcessor,
  ) {}

  get nodeName(): string {
    return this.node.name;
  }
  get applicationId(): string {
    return this.task.applicationId;
  }
  get taskId(): TaskId {
    return this.task.id;
  }

  process(record: Record<unknown, unknown>): void {
    const task = this.task;
    const previous = task.currentNode;
    task.currentNode = this;
    const previousHeaders = task.currentHeaders;
    task.currentHeaders = record.headers;
    this.recordsIn++;
    this.processor.process(record);
    task.currentNode = previous;
    task.currentHeaders = previousHeaders;
  }

  forward(record: Record<unknown, unknown>, childName?: string): void {
    this.recordsOut++;
    if (childName !== undefined) {
      const child = this.childByName.get(childName);
      if (child === undefined) throw new ProcessingError(`${this.node.name} has no child named ${childName}`, { nodeName: this.node.name, ...atRecord(this.task.recordMetadata()) });
      child.process(record);
      return;
    }
    const children = this.children;
    for (let i = 0; i < children.length; i++) children[i]!.process(record);
  }

  getStateStore<S extends StateStore>(name: string): S {
    return this.task.getStateStore<S>(name, this.node.name);
  }

  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable {
    return this.task.schedule(this, intervalMs, type, callback);
  }

  currentStreamTime(): number {
    return this.task.streamTime;
  }

  currentSystemTime(): number {
    return this.task.scheduler.now();
  }

  recordMetadata(): RecordMetadata | null {
    return this.task.recordMetadata();
  }

  recordDropped(reason: string): void {
    this.dropped++;
    this.task.recordDropped(this.node.name, reason);
  }

  send(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers, partition?: number): void {
    // The input it came from names the record should the producer refuse it (production policy, dead letters).
    const origin = this.task.currentInput;
    this.task.collector.send(partition === undefined ? { topic, key, value, timestamp, headers, origin } : { topic, key, value, timestamp, headers, partition, origin });
  }

  resolveTopic(topic: string, internal: boolean): string {
    return internal ? internalTopicName(this.task.applicationId, topic) : topic;
  }

  partitionCount(topic: string): number {
    return this.task.partitionCount(topic);
  }

  reportProductionError(error: StreamsError): void {
    this.task.handleError('production', error);
  }

  sourceTopic(): string | undefined {
    return this.task.currentInput?.topic;
  }
}

/** The processor nodes of a task, linked parent to child, and the source node of each input topic. */
export interface ProcessorGraph {
  readonly nodes: ReadonlyMap<string, ProcessorNode>;
  /** Source node by full input topic name (internal topics with the application-id prefix). */
  readonly sourcesByTopic: ReadonlyMap<string, ProcessorNode>;
  /** Full names of the input topics, in sub-topology order. */
  readonly inputTopics: readonly string[];
}

/**
 * Creates a processor for every node of `subtopologies` and links each to its children, so that `forward`
 * is a walk over plain arrays. Nothing runs yet: the task calls the processors' init() after restore.
 */
export function wireProcessorNodes(task: Task, topology: Topology, subtopologies: readonly Subtopology[]): ProcessorGraph {
  const nodes = new Map<string, ProcessorNode>();
  const sourcesByTopic = new Map<string, ProcessorNode>();
  const inputTopics: string[] = [];
  for (const s of subtopologies) {
    for (const name of s.nodeNames) {
      const node = topology.node(name);
      const processor = topology.createProcessor(name);
      nodes.set(name, new ProcessorNode(task, node, processor));
    }
    for (const source of s.sourceTopics) {
      const topic = source.internal ? internalTopicName(task.applicationId, source.topic) : source.topic;
      inputTopics.push(topic);
      sourcesByTopic.set(topic, nodes.get(source.sourceNode)!);
    }
  }
  for (const processorNode of nodes.values()) {
    for (const parent of processorNode.node.parents) {
      const parentNode = nodes.get(parent)!;
      parentNode.children.push(processorNode);
      parentNode.childByName.set(processorNode.node.name, processorNode);
    }
  }
  return { nodes, sourcesByTopic, inputTopics: Object.freeze(inputTopics) };
}
