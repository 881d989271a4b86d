// What the streams test apps share: their required environment variables and the IPC messages they send
// their parent (state, restored, commit with the processed count, recovered, error).
import type { KafkaStreams } from '../../../src/index.js';

export function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

export function send(message: unknown): void {
  if (process.send) process.send(message);
}

export function reportToParent(app: KafkaStreams): void {
  app.on('state', (state) => send({ type: 'state', state }));
  app.on('restored', (info) => send({ type: 'restored', ...info }));
  app.on('commit', (info) => send({ type: 'commit', ...info, processed: app.processedRecords }));
  app.on('recovered', (info) => send({ type: 'recovered', ...info }));
  app.on('error', (error) => send({ type: 'error', message: error.message }));
}
