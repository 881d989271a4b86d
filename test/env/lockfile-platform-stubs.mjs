// Restores the lockfile entries of rollup's per-platform optional packages.
//
// Why: the npm registry reachable from our CI machines serves only the linux packages of rollup's native
// builds, so `npm install` writes a lockfile without the other platforms' entries, and `npm ci` then refuses
// it ("Missing: @rollup/rollup-darwin-x64@ from lock file"). An entry with the package's os/cpu/libc lets
// `npm ci` validate the lockfile and skip the package on non-matching platforms, exactly as with a complete
// lockfile. Run after any `npm install` that rewrites package-lock.json:  node test/env/lockfile-platform-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
const cpus = ['arm64', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'arm'];
let added = 0;

for (const [path, meta] of Object.entries(packages)) {
  if (!path.endsWith('node_modules/rollup')) continue;
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    if (!name.startsWith('@rollup/rollup-')) continue;
    const key = `${path.slice(0, -'rollup'.length)}${name}`;
    if (packages[key]) continue;
    const [os, ...rest] = name.slice('@rollup/rollup-'.length).split('-');
    const tail = rest.join('-');
    const cpu = cpus.find((c) => tail === c || tail.startsWith(`${c}-`));
    if (!os || !cpu) throw new Error(`cannot tell the platform of ${name}`);
    const abi = tail.slice(cpu.length + 1);
    const entry = { version, cpu: [cpu], dev: meta.dev === true, license: 'MIT', optional: true, os: [os] };
    if (abi.startsWith('gnu')) entry.libc = ['glibc'];
    if (abi.startsWith('musl')) entry.libc = ['musl'];
    if (!entry.dev) delete entry.dev;
    packages[key] = entry;
    added += 1;
  }
}

const sorted = {};
for (const key of Object.keys(packages).sort((a, b) => a.localeCompare(b, 'en'))) sorted[key] = packages[key];
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lockfile: ${added} platform entries restored`);
