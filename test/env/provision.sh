#!/usr/bin/env bash
# Gets the project's own Docker engine and local images ready where no usable Docker engine runs and the tests
# may set one up themselves (root on Debian): installs Debian's docker.io, debootstrap and Maven when missing,
# starts dockerd at unix:///run/tributary-docker/docker.sock (docker-up.sh) and keeps, loads or builds the local
# images (build-images.sh). Run by the integration tests' global setup (test/env/provision.ts); also usable by
# hand. Progress goes to stderr; stdout gets `export` lines (DOCKER_HOST and the two image variables).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  echo "setting up Docker needs root on Debian (this is $(id -un) on $(uname -s))" >&2
  exit 2
fi

packages=()
command -v dockerd >/dev/null || packages+=(docker.io)
command -v debootstrap >/dev/null || packages+=(debootstrap)
command -v mvn >/dev/null || packages+=(maven)
if [ "${#packages[@]}" -gt 0 ]; then
  echo "[provision] installing ${packages[*]} from Debian" >&2
  log="$(mktemp)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"; } >"$log" 2>&1 \
    || { tail -n 40 "$log" >&2; rm -f "$log"; exit 1; }
  rm -f "$log"
fi

# docker-up.sh prints started/reused on stdout: keep stdout for the export lines.
state="$(bash "$here/docker-up.sh")"
echo "[provision] dockerd $state" >&2
bash "$here/build-images.sh"
echo "export DOCKER_HOST=unix:///run/tributary-docker/docker.sock"
