# Shared settings for the Tributary Docker engine scripts (sourced, not run).
# One daemon per machine, at a fixed socket, so tests, CI and compose all find it.
TRIBUTARY_DOCKER_DIR="${TRIBUTARY_DOCKER_DIR:-/run/tributary-docker}"
TRIBUTARY_DOCKER_DATA="${TRIBUTARY_DOCKER_DATA:-/var/lib/tributary-docker}"
TRIBUTARY_DOCKER_SOCK="$TRIBUTARY_DOCKER_DIR/docker.sock"
TRIBUTARY_DOCKER_PIDFILE="$TRIBUTARY_DOCKER_DIR/dockerd.pid"
TRIBUTARY_DOCKER_EXEC="$TRIBUTARY_DOCKER_DIR/exec"
TRIBUTARY_DOCKER_LOG="${TRIBUTARY_DOCKER_LOG:-/var/log/tributary-dockerd.log}"
TRIBUTARY_DOCKER_HOST="unix://$TRIBUTARY_DOCKER_SOCK"

# Debian's client speaks the daemon's API version natively; any other client on PATH is a fallback.
if [ -x /usr/bin/docker ]; then TRIBUTARY_DOCKER_CLI=/usr/bin/docker; else TRIBUTARY_DOCKER_CLI=docker; fi
export DOCKER_BUILDKIT=0

tdocker() { "$TRIBUTARY_DOCKER_CLI" -H "$TRIBUTARY_DOCKER_HOST" "$@"; }

tributary_docker_answers() {
  [ -S "$TRIBUTARY_DOCKER_SOCK" ] && timeout 10 "$TRIBUTARY_DOCKER_CLI" -H "$TRIBUTARY_DOCKER_HOST" info >/dev/null 2>&1
}

tributary_pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
