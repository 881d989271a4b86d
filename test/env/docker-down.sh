#!/usr/bin/env bash
# Stops the dockerd started by docker-up.sh (and with it its containerd). Containers stop with it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/docker-common.sh"

pid="$(cat "$TRIBUTARY_DOCKER_PIDFILE" 2>/dev/null || true)"
if ! tributary_pid_alive "$pid"; then
  echo "no dockerd running from $TRIBUTARY_DOCKER_PIDFILE" >&2
  rm -f "$TRIBUTARY_DOCKER_PIDFILE" "$TRIBUTARY_DOCKER_SOCK"
  exit 0
fi
kill "$pid"
for _ in $(seq 1 60); do tributary_pid_alive "$pid" || break; sleep 0.5; done
if tributary_pid_alive "$pid"; then
  echo "dockerd (pid $pid) did not stop within 30 s; killing it" >&2
  kill -9 "$pid" 2>/dev/null || true
fi
rm -f "$TRIBUTARY_DOCKER_PIDFILE" "$TRIBUTARY_DOCKER_SOCK"
echo "dockerd stopped" >&2
