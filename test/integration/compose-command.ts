// Which Docker Compose to call: the `docker compose` plugin (Compose v2, what a current Docker install has) where
// it answers, else the standalone `docker-compose` (v1, or v2 installed standalone, e.g. Debian's package).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A compose invocation: the program and the arguments that come before compose's own. */
export interface ComposeCommand {
  readonly program: string;
  readonly prefix: readonly string[];
}

/**
 * Finds the compose command, or fails with a message that says what to install.
 *
 * @example
 * const { program, prefix } = await composeCommand(process.env);
 * await run(program, [...prefix, '-f', 'docker-compose.yml', 'up', '-d']);
 */
export async function composeCommand(env: NodeJS.ProcessEnv): Promise<ComposeCommand> {
  const candidates: ComposeCommand[] = [
    { program: 'docker', prefix: ['compose'] },
    { program: 'docker-compose', prefix: [] },
  ];
  for (const candidate of candidates) {
    try {
      await run(candidate.program, [...candidate.prefix, 'version'], { env });
      return candidate;
    } catch {
      // Not installed, or not a compose: try the next.
    }
  }
  throw new Error('neither `docker compose` (the Compose plugin) nor `docker-compose` is installed; install one of them');
}
