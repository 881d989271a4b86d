#!/bin/bash
# Writes the broker's configuration (defaults + KAFKA_* environment variables, named as in the official
# apache/kafka image), formats the KRaft storage on first start, and runs the broker in the foreground.
set -euo pipefail

conf_dir=/opt/kafka/config
props="$conf_dir/runtime.properties"
classpath='/opt/kafka/libs/*'

# Variables that configure the JVM, not the broker.
not_broker_config=" KAFKA_HEAP_OPTS KAFKA_OPTS KAFKA_JVM_PERFORMANCE_OPTS KAFKA_GC_LOG_OPTS KAFKA_JMX_OPTS KAFKA_LOG4J_OPTS KAFKA_DEBUG KAFKA_VERSION KAFKA_HOME "

declare -A config=()
order=()
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue ;; esac
  key="${line%%=*}"
  [ -n "${config[$key]+x}" ] || order+=("$key")
  config[$key]="${line#*=}"
done <"$conf_dir/server.properties"

# KAFKA_FOO_BAR -> foo.bar; "__" -> "_"; "___" -> "-" (the official image's rule).
while IFS= read -r name; do
  case "$not_broker_config" in *" $name "*) continue ;; esac
  key="${name#KAFKA_}"
  key="${key//___/-}"
  key="${key//__/$'\x01'}"
  key="${key//_/.}"
  key="${key//$'\x01'/_}"
  key="${key,,}"
  [ -n "${config[$key]+x}" ] || order+=("$key")
  config[$key]="${!name}"
done < <(compgen -e | grep '^KAFKA_' || true)

: >"$props"
for key in "${order[@]}"; do printf '%s=%s\n' "$key" "${config[$key]}" >>"$props"; done

java_opts=(${KAFKA_HEAP_OPTS:--Xmx1G -Xms256m} ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true} ${KAFKA_OPTS:-})
log_opts=(${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$conf_dir/log4j2.yaml})

log_dir="${config[log.dirs]:-${config[log.dir]:-/var/lib/kafka/data}}"
log_dir="${log_dir%%,*}"
if [ ! -f "$log_dir/meta.properties" ]; then
  cluster_id="${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}"
  java "${log_opts[@]}" -Xmx256m -cp "$classpath" kafka.tools.StorageTool format \
    --cluster-id "$cluster_id" --config "$props" --ignore-formatted
fi

if [ "$#" -gt 0 ]; then exec "$@"; fi
exec java "${java_opts[@]}" "${log_opts[@]}" -cp "$classpath" kafka.Kafka "$props"
