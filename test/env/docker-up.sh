#!/usr/bin/env bash
# Starts Debian's dockerd at unix:///run/tributary-docker/docker.sock unless one already answers there.
# Installs nothing (see .ci/run for that). Idempotent and safe after a killed run: a stale pidfile, socket or
# orphaned containerd left behind is cleaned before starting.
# Prints "reused" or "started" as its last line of output.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/docker-common.sh"

if tributary_docker_answers; then
  echo "dockerd already answers at $TRIBUTARY_DOCKER_HOST" >&2
  echo reused
  exit 0
fi

command -v dockerd >/dev/null || { echo "dockerd not found: install Debian's docker.io package (apt-get install docker.io)" >&2; exit 1; }

mkdir -p "$TRIBUTARY_DOCKER_DIR" "$TRIBUTARY_DOCKER_DATA" "$TRIBUTARY_DOCKER_EXEC"

# A daemon that is alive but does not answer may be starting up: give it a moment, then replace it.
if [ -f "$TRIBUTARY_DOCKER_PIDFILE" ]; then
  old="$(cat "$TRIBUTARY_DOCKER_PIDFILE" 2>/dev/null || true)"
  if tributary_pid_alive "$old" && grep -q dockerd "/proc/$old/cmdline" 2>/dev/null; then
    for _ in $(seq 1 30); do
      if tributary_docker_answers; then echo reused; exit 0; fi
      sleep 1
    done
    echo "dockerd (pid $old) does not answer; stopping it" >&2
    kill "$old" 2>/dev/null || true
    for _ in $(seq 1 20); do tributary_pid_alive "$old" || break; sleep 0.5; done
    kill -9 "$old" 2>/dev/null || true
  fi
fi

# A dockerd killed with SIGKILL leaves its containerd running, plus pidfiles and a socket.
for pf in "$TRIBUTARY_DOCKER_EXEC/containerd/containerd.pid"; do
  if [ -f "$pf" ]; then
    cpid="$(cat "$pf" 2>/dev/null || true)"
    if tributary_pid_alive "$cpid" && grep -q containerd "/proc/$cpid/cmdline" 2>/dev/null; then
      echo "stopping orphaned containerd (pid $cpid)" >&2
      kill "$cpid" 2>/dev/null || true
      for _ in $(seq 1 20); do tributary_pid_alive "$cpid" || break; sleep 0.5; done
      kill -9 "$cpid" 2>/dev/null || true
    fi
    rm -f "$pf"
  fi
done
rm -f "$TRIBUTARY_DOCKER_PIDFILE" "$TRIBUTARY_DOCKER_SOCK"

# setsid: the daemon outlives the shell (and process group) that started it.
setsid dockerd \
  --host="$TRIBUTARY_DOCKER_HOST" \
  --data-root="$TRIBUTARY_DOCKER_DATA" \
  --exec-root="$TRIBUTARY_DOCKER_EXEC" \
  --pidfile="$TRIBUTARY_DOCKER_PIDFILE" \
  >>"$TRIBUTARY_DOCKER_LOG" 2>&1 </dev/null &

for _ in $(seq 1 60); do
  if tributary_docker_answers; then
    echo "dockerd started at $TRIBUTARY_DOCKER_HOST (pid $(cat "$TRIBUTARY_DOCKER_PIDFILE" 2>/dev/null), log $TRIBUTARY_DOCKER_LOG)" >&2
    echo started
    exit 0
  fi
  sleep 0.5
done
echo "dockerd did not answer at $TRIBUTARY_DOCKER_HOST within 30 s; last lines of $TRIBUTARY_DOCKER_LOG:" >&2
tail -n 30 "$TRIBUTARY_DOCKER_LOG" >&2 || true
exit 1
