/**
 * Kafka record headers, shaped like kafkajs' `IHeaders` so the Kafka port can pass them through.
 *
 * @example
 * ```ts
 * const headers: Headers = { 'trace-id': 'abc', retries: [Buffer.from('1'), Buffer.from('2')] };
 * ```
 */
export type Headers = Readonly<{ [key: string]: Buffer | string | ReadonlyArray<Buffer | string> | undefined }>;
