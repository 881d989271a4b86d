import type { NodeRole } from './handler.js';
import type { Subtopology, Topology } from './topology.js';

/** One node as describe() reports it. */
export interface NodeDescription {
  readonly name: string;
  readonly role: NodeRole;
  readonly topics: readonly string[];
  readonly topic: string | undefined;
  readonly stores: readonly string[];
  readonly predecessors: readonly string[];
  readonly successors: readonly string[];
}

export interface SubtopologyDescription {
  readonly id: number;
  readonly global: boolean;
  readonly nodes: readonly NodeDescription[];
}

/** The programmatic description plus Kafka Streams' text layout and a Mermaid flowchart. */
export interface TopologyDescription {
  readonly subtopologies: readonly SubtopologyDescription[];
  toString(): string;
  toMermaid(): string;
}

export function describeTopology(topology: Topology): TopologyDescription {
  const subtopologies = topology.subtopologies.map((s) => describeSubtopology(topology, s));
  return Object.freeze({
    subtopologies,
    toString: () => renderText(subtopologies),
    toMermaid: () => renderMermaid(subtopologies),
  });
}

function describeSubtopology(topology: Topology, subtopology: Subtopology): SubtopologyDescription {
  const members = new Set(subtopology.nodeNames);
  // Kafka orders nodes by the size of their downstream sub-tree (1 + sum over children), then by name.
  const size = new Map<string, number>();
  const sizeOf = (name: string): number => {
    let s = size.get(name);
    if (s === undefined) {
      s = 1;
      for (const child of topology.childrenOf(name)) if (members.has(child.name)) s += sizeOf(child.name);
      size.set(name, s);
    }
    return s;
  };
  const compare = (a: string, b: string): number => sizeOf(b) - sizeOf(a) || (a < b ? -1 : a > b ? 1 : 0);
  const nodes = [...subtopology.nodeNames].sort(compare).map((name): NodeDescription => {
    const node = topology.node(name);
    return Object.freeze({
      name,
      role: topology.roleOf(name),
      topics: node.kind === 'Source' ? node.topics : [],
      topic: node.kind === 'Sink' ? (typeof node.topic === 'string' ? node.topic : undefined) : undefined,
      stores: node.stores,
      predecessors: [...node.parents].sort(compare),
      successors: topology
        .childrenOf(name)
        .map((c) => c.name)
        .sort(compare),
    });
  });
  return Object.freeze({ id: subtopology.id, global: subtopology.global, nodes });
}

const edgeList = (names: readonly string[]): string => (names.length === 0 ? 'none' : names.join(', '));

function renderNode(node: NodeDescription): string {
  switch (node.role) {
    case 'source':
      return `Source: ${node.name} (topics: [${node.topics.join(', ')}])\n      --> ${edgeList(node.successors)}`;
    case 'processor':
      return `Processor: ${node.name} (stores: [${node.stores.join(', ')}])\n      --> ${edgeList(node.successors)}\n      <-- ${edgeList(node.predecessors)}`;
    case 'sink':
      return `${node.topic === undefined ? `Sink: ${node.name} (extractor class: TopicNameExtractor)` : `Sink: ${node.name} (topic: ${node.topic})`}\n      <-- ${edgeList(node.predecessors)}`;
  }
}

function renderText(subtopologies: readonly SubtopologyDescription[]): string {
  let out = 'Topologies:\n ';
  for (const s of subtopologies) {
    out += s.global ? `  Sub-topology: ${s.id} for global store (will not generate tasks)\n` : `  Sub-topology: ${s.id}\n`;
    for (const node of s.nodes) out += `    ${renderNode(node)}\n`;
    out += '\n';
  }
  return out;
}

const mermaidId = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_');

function renderMermaid(subtopologies: readonly SubtopologyDescription[]): string {
  const lines = ['flowchart TD'];
  const topics = new Set<string>();
  const edges: string[] = [];
  for (const s of subtopologies) {
    lines.push(`  subgraph sub${s.id}["Sub-topology ${s.id}${s.global ? ' (global store)' : ''}"]`);
    for (const node of s.nodes) {
      const label = node.stores.length > 0 ? `${node.name}<br/>stores: ${node.stores.join(', ')}` : node.name;
      lines.push(`    ${mermaidId(node.name)}["${label}"]`);
      for (const successor of node.successors) edges.push(`  ${mermaidId(node.name)} --> ${mermaidId(successor)}`);
      for (const topic of node.topics) {
        topics.add(topic);
        edges.push(`  topic_${mermaidId(topic)} --> ${mermaidId(node.name)}`);
      }
      if (node.topic !== undefined) {
        topics.add(node.topic);
        edges.push(`  ${mermaidId(node.name)} --> topic_${mermaidId(node.topic)}`);
      }
    }
    lines.push('  end');
  }
  for (const topic of topics) lines.push(`  topic_${mermaidId(topic)}[/"${topic}"/]`);
  return [...lines, ...edges].join('\n') + '\n';
}
