/**
 * `tributary describe <module> [--mermaid]`: prints the topology a user's module default-exports, in Kafka
 * Streams' text layout or as a Mermaid flowchart. Touches no broker.
 *
 * @example
 * // $ tributary describe dist/word-count.js --mermaid > topology.mmd
 */
import type { Command } from 'commander';
import { loadTopologyModule } from './topology-module.js';

/** The description of the module's topology: Kafka Streams' text, or Mermaid. */
export async function describeTopologyModule(modulePath: string, options: { readonly mermaid?: boolean } = {}): Promise<string> {
  const description = (await loadTopologyModule(modulePath)).describe();
  return options.mermaid === true ? description.toMermaid() : description.toString();
}

/** Adds `describe <module>` to the tributary command. */
export function registerDescribeCommand(program: Command): void {
  program
    .command('describe')
    .description("print a topology module's description (Kafka Streams' layout), or a Mermaid flowchart")
    .argument('<module>', 'JavaScript module whose default export is the topology or a function returning it')
    .option('--mermaid', 'print a Mermaid flowchart instead')
    .action(async (modulePath: string, options: { mermaid?: boolean }) => {
      const text = await describeTopologyModule(modulePath, options);
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    });
}
