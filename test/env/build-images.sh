#!/usr/bin/env bash
# Builds the local images Tributary's tests use on machines that reach no container registry:
#   tributary/debian:bookworm   debootstrap --variant=minbase + docker import
#   tributary/postgres:15       PostgreSQL 15 from Debian (test/env/images/postgres)
#   tributary/kafka:<version>   Apache Kafka from Maven Central on Debian's JRE 17 (test/env/images/kafka)
# Each image carries a label with the hash of what it was built from (its files and its parent's hash). An image
# whose hash matches is kept; otherwise a `docker save` of it from the cache is loaded; otherwise it is built and
# saved to the cache. Cache: $TRIBUTARY_CACHE_DIR (default /var/cache/tributary).
#
# Needs a running Docker engine (test/env/docker-up.sh), debootstrap, and Maven for the Kafka jars.
# Progress goes to stderr; stdout gets `export` lines naming the images, for example:
#   test/env/build-images.sh > images.env && . ./images.env
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/docker-common.sh"

cache="${TRIBUTARY_CACHE_DIR:-/var/cache/tributary}"
mkdir -p "$cache/images" "$cache/rootfs" "$cache/build"

log() { printf '[build-images %s] %s\n' "$(date +%T)" "$*" >&2; }

# Another build against the same daemon and cache waits for this one.
exec 9>"$cache/build.lock"
flock 9

tributary_docker_answers || { log "no Docker engine answers at $TRIBUTARY_DOCKER_HOST: run test/env/docker-up.sh first"; exit 1; }

kafka_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka-jars/pom.xml")"
[ -n "$kafka_version" ] || { log "kafka.version not found in $here/kafka-jars/pom.xml"; exit 1; }

base_image="${TRIBUTARY_BASE_IMAGE_LOCAL:-tributary/debian:bookworm}"
postgres_image="${TRIBUTARY_POSTGRES_IMAGE_LOCAL:-tributary/postgres:15}"
kafka_image="${TRIBUTARY_KAFKA_IMAGE_LOCAL:-tributary/kafka:$kafka_version}"

debian_mirror() {
  if [ -n "${TRIBUTARY_DEBIAN_MIRROR:-}" ]; then echo "$TRIBUTARY_DEBIAN_MIRROR"; return; fi
  local m
  m="$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
      | grep -oE '(https?|file)://[^ ]+/debian/?' | grep -v security | head -n1 || true)"
  echo "${m:-http://deb.debian.org/debian}"
}

# Hash of the named files (content and name) plus extra words.
content_hash() {
  local extra="$1"; shift
  { echo "$extra"; for f in "$@"; do echo "== ${f#"$here"/}"; cat "$f"; done; } | sha256sum | cut -c1-16
}

image_hash() { tdocker image inspect --format '{{ index .Config.Labels "tributary.build-hash" }}' "$1" 2>/dev/null || true; }

slug() { echo "$1" | tr '/:' '__'; }

# ensure_image NAME HASH BUILD_FUNCTION: keep, load from cache, or build and save.
ensure_image() {
  local name="$1" hash="$2" build="$3"
  local tarball="$cache/images/$(slug "$name")-$hash.tar"
  if [ "$(image_hash "$name")" = "$hash" ]; then
    log "$name is up to date ($hash)"
    return
  fi
  if [ -f "$tarball" ]; then
    log "loading $name from $tarball"
    if tdocker load -i "$tarball" >&2 && [ "$(image_hash "$name")" = "$hash" ]; then return; fi
    log "cached $tarball is unusable; rebuilding"
    rm -f "$tarball"
  fi
  local started=$SECONDS
  "$build" "$name" "$hash"
  log "built $name in $((SECONDS - started)) s; saving to the cache"
  rm -f "$cache/images/$(slug "$name")"-*.tar
  tdocker save -o "$tarball.tmp" "$name"
  mv "$tarball.tmp" "$tarball"
}

build_base() {
  local name="$1" hash="$2" mirror rootfs_tar="$cache/rootfs/bookworm-minbase-$2.tar"
  if [ ! -f "$rootfs_tar" ]; then
    command -v debootstrap >/dev/null || { log "debootstrap not found: apt-get install debootstrap"; exit 1; }
    mirror="$(debian_mirror)"
    local root="$cache/build/rootfs"
    rm -rf "$root"
    log "debootstrap --variant=minbase bookworm from $mirror (about a minute and a half)"
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$cache/build/debootstrap.log" 2>&1 \
      || { tail -n 30 "$cache/build/debootstrap.log" >&2; exit 1; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    rm -f "$cache"/rootfs/bookworm-minbase-*.tar
    tar --numeric-owner -C "$root" -cf "$rootfs_tar.tmp" .
    mv "$rootfs_tar.tmp" "$rootfs_tar"
    rm -rf "$root"
  fi
  log "importing $rootfs_tar as $name"
  tdocker import --change "LABEL tributary.build-hash=$hash" --change 'CMD ["/bin/bash"]' "$rootfs_tar" "$name" >&2
}

build_postgres() {
  local name="$1" hash="$2"
  log "building $name"
  tdocker build --label "tributary.build-hash=$hash" --build-arg "BASE_IMAGE=$base_image" \
    -t "$name" "$here/images/postgres" >&2
}

build_kafka() {
  local name="$1" hash="$2" ctx="$cache/build/kafka"
  rm -rf "$ctx"
  mkdir -p "$ctx/libs"
  cp "$here"/images/kafka/* "$ctx/"
  command -v mvn >/dev/null || { log "mvn not found: Maven resolves the Kafka jars (apt-get install maven)"; exit 1; }
  log "resolving Apache Kafka $kafka_version jars with Maven"
  mvn -q -B -Dstyle.color=never -f "$here/kafka-jars/pom.xml" dependency:copy-dependencies -Dkafka.jars.dir="$ctx/libs" >&2
  log "building $name"
  tdocker build --label "tributary.build-hash=$hash" --build-arg "BASE_IMAGE=$base_image" -t "$name" "$ctx" >&2
  rm -rf "$ctx"
}

# Bump when the debootstrap recipe above changes.
base_hash="$(content_hash "bookworm minbase v1")"
postgres_hash="$(content_hash "$base_hash" "$here"/images/postgres/*)"
kafka_hash="$(content_hash "$base_hash" "$here"/images/kafka/* "$here/kafka-jars/pom.xml")"

ensure_image "$base_image" "$base_hash" build_base
ensure_image "$postgres_image" "$postgres_hash" build_postgres
ensure_image "$kafka_image" "$kafka_hash" build_kafka
tdocker image prune -f --filter label=tributary.build-hash >/dev/null || true

echo "export TRIBUTARY_POSTGRES_IMAGE=$postgres_image"
echo "export TRIBUTARY_KAFKA_IMAGE=$kafka_image"
