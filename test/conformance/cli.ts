import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFolders } from './runner.js';

// Usage: tsx test/conformance/cli.ts [folder ...]
// Default folder: the shared conformance scenarios copied into the repository (test/conformance/scenarios/shared).
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const defaultFolder = resolve(root, 'test', 'conformance', 'scenarios', 'shared');
const folders = process.argv.length > 2 ? process.argv.slice(2) : [defaultFolder];
const missing = folders.filter((f) => !existsSync(f));
if (missing.length > 0) {
  console.error(`scenario folder not found: ${missing.join(', ')}`);
  process.exit(2);
}

const results = runFolders(folders);
for (const r of results) {
  const label = r.status === 'pass' ? 'PASS' : r.status === 'fail' ? 'FAIL' : 'UNSUPPORTED';
  console.log(`${label} ${basename(r.file)} [${r.kind}] ${r.name}${r.message ? ` -- ${r.message}` : ''}`);
}
const passed = results.filter((r) => r.status === 'pass').length;
const failed = results.length - passed;
const unsupported = results.filter((r) => r.status === 'unsupported').length;
if (unsupported > 0) console.log(`(${unsupported} of the failures are unsupported kinds or outputs)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
