#!/usr/bin/env bash
# The packaging test (`npm run test:package`, run by .ci/run): packs the package as npm would publish it,
# checks what the tarball holds, installs it into a fresh project from the npm registry, and there runs
#   (a) a plain Node ESM script and (b) a strict TypeScript (NodeNext, skipLibCheck false) program, each with a
#       small topology on the TopologyTestDriver, checking its output;
#   (c) the installed `tributary` bin: --version, describe of a module, non-zero exits on failures.
# Exits non-zero on any failure. Needs the npm registry (dependencies of the tarball, typescript, @types/node).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/test/packaging"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { printf 'packaging test FAILED: %s\n' "$*" >&2; exit 1; }
step() { printf '[package] %s\n' "$*" >&2; }

version="$(node -p "require('$root/package.json').version")"
typescript="$(node -p "require('$root/node_modules/typescript/package.json').version")"
types_node="$(node -p "require('$root/node_modules/@types/node/package.json').version")"

# 1. The tarball (prepack builds dist/ first).
step "npm pack"
(cd "$root" && npm pack --pack-destination "$work" --silent >"$work/pack.out" 2>"$work/pack.err") \
  || { cat "$work/pack.err" >&2; fail "npm pack"; }
tarball="$work/$(tail -n 1 "$work/pack.out")"
[ -f "$tarball" ] || fail "no tarball at $tarball"
tar -tzf "$tarball" | sed 's|^package/||' | sort >"$work/files.txt"
step "$(wc -l <"$work/files.txt") files in $(basename "$tarball")"
unwanted="$(grep -E '(\.test(-d)?\.|\.test-support\.|(^|/)(test|bench|topologies|fixtures)/|(^|/)src/.*\.ts$|tsconfig|vitest)' "$work/files.txt" | grep -v '\.d\.ts$' || true)"
[ -z "$unwanted" ] || fail "the tarball holds files a user does not need:"$'\n'"$unwanted"
sources="$(grep -E '\.ts$' "$work/files.txt" | grep -v '\.d\.ts$' || true)"
[ -z "$sources" ] || fail "the tarball holds TypeScript sources:"$'\n'"$sources"
for needed in package.json LICENSE README.md CHANGELOG.md bin/tributary.js dist/src/index.js dist/src/index.d.ts \
  dist/src/testing/index.js dist/src/testing/index.d.ts dist/connectors/postgres-cdc/index.js dist/connectors/postgres-sink/index.d.ts; do
  grep -qx "$needed" "$work/files.txt" || fail "the tarball lacks $needed"
done

# 2. A fresh project that installs the tarball as a user would: the tarball, typescript and @types/node, nothing
#    else (no testcontainers, no @types/pg: the package brings the declarations its own types need).
step "installing the tarball into a fresh project"
project="$work/consumer"
mkdir "$project"
cp "$here/consumer/app.mjs" "$here/consumer/app.ts" "$here/consumer/word-count.mjs" "$here/consumer/tsconfig.json" "$project/"
cat >"$project/package.json" <<JSON
{ "name": "tributary-packaging-consumer", "version": "1.0.0", "private": true, "type": "module" }
JSON
(cd "$project" && npm install --no-audit --no-fund --loglevel=error "$tarball" "typescript@$typescript" "@types/node@$types_node" >"$work/install.log" 2>&1) \
  || { tail -n 40 "$work/install.log" >&2; fail "npm install of the tarball"; }
[ ! -e "$project/node_modules/testcontainers" ] || fail "testcontainers was installed: it must be an optional peer"
[ ! -e "$project/node_modules/tsx" ] || fail "tsx was installed: it must be a development dependency"

# (a) plain Node.
step "(a) plain node ESM consumer"
(cd "$project" && node app.mjs) || fail "(a) the JavaScript consumer"

# (b) strict TypeScript against the shipped declarations, then run.
step "(b) strict tsc NodeNext consumer"
(cd "$project" && npx --no-install tsc -p tsconfig.json) || fail "(b) tsc on the TypeScript consumer"
(cd "$project" && node out/app.js) || fail "(b) the compiled TypeScript consumer"

# (c) the installed bin.
step "(c) the tributary bin"
answered="$(cd "$project" && npx --no-install tributary --version)" || fail "tributary --version exited non-zero"
[ "$answered" = "$version" ] || fail "tributary --version answered '$answered', expected '$version'"
(cd "$project" && npx --no-install tributary describe word-count.mjs >"$work/describe.txt") || fail "tributary describe exited non-zero"
grep -q 'Sub-topology: 0' "$work/describe.txt" && grep -q 'word-counts' "$work/describe.txt" \
  || { cat "$work/describe.txt" >&2; fail "tributary describe printed no topology description"; }
if (cd "$project" && npx --no-install tributary no-such-command >/dev/null 2>&1); then fail "an unknown subcommand exited 0"; fi
if (cd "$project" && npx --no-install tributary cdc --config missing.json >/dev/null 2>&1); then fail "cdc with a missing config exited 0"; fi
if (cd "$project" && npx --no-install tributary run missing.mjs >/dev/null 2>&1); then fail "run of a missing module exited 0"; fi

step "ok: $(basename "$tarball") works for plain Node, strict TypeScript and the bin"
