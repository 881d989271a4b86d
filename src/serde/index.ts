export type { Serde, KeyValueSerdes } from './serde.js';
export { serializeNullable, deserializeNullable } from './serde.js';
export { Serdes } from './serdes.js';
export { changeSerde } from './change-serde.js';
