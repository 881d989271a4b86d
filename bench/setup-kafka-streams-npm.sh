#!/usr/bin/env bash
# Installs the npm kafka-streams package (5.0.0) with the native client it needs against Kafka 4 (node-rdkafka
# 3.6.1, compiling its bundled librdkafka) into bench/.data/kafka-streams-npm, where W1 finds it and adds the
# contender. Kept out of package.json: the native build takes about ten minutes on 2 cores and needs a C/C++
# toolchain, which every `npm ci` of Tributary would otherwise pay for a benchmark contender.
# Usage: bash bench/setup-kafka-streams-npm.sh [directory]
set -euo pipefail
dir="${1:-$(cd "$(dirname "$0")" && pwd)/.data/kafka-streams-npm}"
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || echo '{ "name": "kafka-streams-npm-contender", "private": true }' > package.json
# Scripts off: node-rdkafka's own install runs make with several jobs, which races in librdkafka's configure step.
npm install --ignore-scripts --save-exact --no-audit --no-fund kafka-streams@5.0.0 node-rdkafka@3.6.1
cd node_modules/node-rdkafka
gyp_args=(rebuild -j 1)
# Without registry access to nodejs.org, node-gyp needs the headers of the installed Node.
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
for candidate in "$node_prefix" /usr; do
  if [ -f "$candidate/include/node/node.h" ]; then gyp_args+=("--nodedir=$candidate"); break; fi
done
npx --yes node-gyp@12 "${gyp_args[@]}"
cd "$dir"
node -e "require('node-rdkafka'); require('kafka-streams'); console.log('kafka-streams npm contender ready in ' + process.cwd())"
