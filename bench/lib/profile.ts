// Top frames of a V8 .cpuprofile by self time, for RESULTS.md.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export function topFrames(dir: string, root: string, count = 8): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const self = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      if (hits === 0) continue;
      // Waiting is not a hot spot; the share of busy samples is what matters.
      if (node.callFrame.functionName === '(idle)') {
        idle += hits;
        continue;
      }
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url.startsWith('file://') ? relative(root, url.slice(7)) : url;
      const name = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
      self.set(name, (self.get(name) ?? 0) + hits);
      total += hits;
    }
  }
  const busy = `busy ${((100 * total) / (total + idle)).toFixed(0)}% of samples; shares below are of busy samples`;
  return [
    busy,
    ...[...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, hits]) => `${((100 * hits) / total).toFixed(1)}% ${name}`),
  ];
}
