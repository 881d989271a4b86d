// Smoke test of docker-compose.yml, through `docker compose` (or `docker-compose` where the plugin is missing):
// brings up its Kafka and PostgreSQL (with the images named by TRIBUTARY_KAFKA_IMAGE / TRIBUTARY_POSTGRES_IMAGE,
// e.g. the local ones), produces and consumes through its Kafka, queries its PostgreSQL, and takes it down. The schema registry service is not started here: no image
// for it can be built on machines without a registry.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { createTopics } from '../../src/kafka/kafkajs-compat.js';
import { describe, expect, it } from 'vitest';
import { prepareDockerEnvironment } from '../../src/testing/docker-environment.js';
import { freePort } from '../../src/testing/free-port.js';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { composeCommand, type ComposeCommand } from './compose-command.js';

const run = promisify(execFile);
const composeFile = fileURLToPath(new URL('../../docker-compose.yml', import.meta.url));
const PROJECT_PREFIX = 'tributary-smoke-';
/** `docker compose` where the plugin is installed, `docker-compose` otherwise; looked up once. */
let command: Promise<ComposeCommand> | undefined;

async function compose(project: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const { program, prefix } = await (command ??= composeCommand(env));
  const { stdout } = await run(program, [...prefix, '-p', project, '-f', composeFile, ...args], {
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** Takes down smoke-test projects whose test process is gone (a run that was killed). */
async function downLeftoverProjects(env: NodeJS.ProcessEnv): Promise<void> {
  const { stdout } = await run('docker', ['ps', '-a', '--format', '{{.Label "com.docker.compose.project"}}'], { env });
  const projects = new Set(stdout.split('\n').filter((name) => name.startsWith(PROJECT_PREFIX)));
  for (const project of projects) {
    const pid = Number(project.slice(PROJECT_PREFIX.length).split('-')[0]);
    if (pid === process.pid || processAlive(pid)) continue;
    await compose(project, env, 'down', '-v', '--remove-orphans').catch(() => undefined);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('docker-compose.yml', () => {
  it('brings up Kafka and PostgreSQL that clients on the host can use', async () => {
    prepareDockerEnvironment();
    const kafkaPort = await freePort();
    const postgresPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TRIBUTARY_KAFKA_PORT: String(kafkaPort),
      TRIBUTARY_POSTGRES_PORT: String(postgresPort),
    };
    const project = `${PROJECT_PREFIX}${process.pid}-${Date.now().toString(36)}`;
    await downLeftoverProjects(env);

    await compose(project, env, 'up', '-d', 'kafka', 'postgres');
    try {
      const kafka = new Kafka({
        clientId: 'compose-smoke',
        brokers: [`localhost:${kafkaPort}`],
        logLevel: logLevel.NOTHING,
        retry: { retries: 3 },
      });
      const admin = kafka.admin();
      await waitFor(
        async () => {
          await admin.connect();
          await admin.describeCluster();
          return true;
        },
        { timeoutMs: 150_000, intervalMs: 1_000, description: 'the compose Kafka to answer' },
      );
      const topic = randomTopic('compose_smoke');
      await createTopics(admin, { topics: [{ topic }] });
      const groupId = randomName('compose_smoke');
      // The first group request makes a fresh broker create and load __consumer_offsets; a kafkajs consumer
      // that meets a loading coordinator crashes and restarts with growing back-off, so wait for it here.
      await waitFor(
        async () => {
          await admin.describeGroups([groupId]);
          return true;
        },
        { timeoutMs: 120_000, intervalMs: 1_000, description: 'the compose group coordinator' },
      );
      await admin.disconnect();

      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k', value: 'hello from compose' }] });
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId });
      const received: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value?.toString() ?? '');
        },
      });
      try {
        await waitFor(() => received.length > 0, { timeoutMs: 120_000, description: 'the record through compose Kafka' });
      } finally {
        await consumer.disconnect();
      }
      expect(received).toEqual(['hello from compose']);

      const databaseUrl = `postgres://tributary:tributary@localhost:${postgresPort}/tributary`;
      const row = await waitFor(
        async () => {
          const client = new pg.Client({ connectionString: databaseUrl });
          await client.connect();
          try {
            return (await client.query<{ wal_level: string; sum: number }>("SELECT current_setting('wal_level') AS wal_level, 20 + 22 AS sum")).rows[0];
          } finally {
            await client.end();
          }
        },
        { timeoutMs: 120_000, intervalMs: 500, description: 'the compose PostgreSQL to answer' },
      );
      expect(row).toEqual({ wal_level: 'logical', sum: 42 });
    } finally {
      await compose(project, env, 'down', '-v', '--remove-orphans');
    }
  }, 420_000);
});
