#!/usr/bin/env bash
# Quota precision (issue #14: "quotas throttle a producer to its rate, measured, within 20 %"): starts one Fjord node
# (broker and controller in one process, default quota windows: 11 of 1 s), then runs QuotaPrecisionTool RUNS times:
# each sets producer_byte_rate and consumer_byte_rate for the tool's client ids, produces flat out with Kafka's
# producer, then consumes flat out with Kafka's consumer, and prints the rates achieved after a warm-up against the
# quota. The node is stopped on exit.
#
# Usage: bench/quota-bench.sh
# Environment: RUNS (default 3), QUOTA_BYTES_PER_SECOND (default 1048576), SECONDS_MEASURED (default 30),
#   WARMUP_SECONDS (default 5), PORT (default: a free port from 39092 up), REBUILD=1 (rebuild the jars), KEEP=1 (keep
#   the node's working directory).
set -euo pipefail

bench_module="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$bench_module")"
server_jar="$root/server/target/fjord-server.jar"
bench_jar="$bench_module/target/fjord-bench.jar"
runs="${RUNS:-3}"
quota="${QUOTA_BYTES_PER_SECOND:-1048576}"
seconds="${SECONDS_MEASURED:-30}"
warmup="${WARMUP_SECONDS:-5}"

say() { echo "quota-bench: $*" >&2; }

if [[ ! -f "$server_jar" || ! -f "$bench_jar" || "${REBUILD:-0}" == "1" ]]; then
  say "building the Fjord server and the bench jar"
  (cd "$root" && mvn -q -B -ntp -pl server,bench -am package -DskipTests)
fi

port="${PORT:-39092}"
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
work="$(mktemp -d -t fjord-quota.XXXXXX)"
fjord_pid=""
cleanup() {
  if [[ -n "$fjord_pid" ]] && kill -0 "$fjord_pid" 2>/dev/null; then
    kill -TERM "$fjord_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$fjord_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$fjord_pid" 2>/dev/null || true
  fi
  [[ "${KEEP:-0}" == "1" ]] && say "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/data"
cat >"$work/server.properties" <<PROPERTIES
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port
log.dirs=$work/data
PROPERTIES
java -Xmx512m -jar "$server_jar" start --config "$work/server.properties" >"$work/Fjord.out" 2>&1 &
fjord_pid=$!
for _ in $(seq 1 120); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$fjord_pid" 2>/dev/null || { say "Fjord exited while starting: $(tail -5 "$work/Fjord.out")"; exit 1; }
  sleep 0.5
done
say "Fjord (pid $fjord_pid) listens on $port; load: $(cut -d' ' -f1-3 /proc/loadavg)"

for run in $(seq 1 "$runs"); do
  say "run $run of $runs: quota $quota B/s, ${warmup} s warm-up, ${seconds} s measured per direction"
  java -Xmx256m -Dlogback.configurationFile=none -cp "$bench_jar" io.fjord.bench.quota.QuotaPrecisionTool \
    "127.0.0.1:$port" "$quota" "$seconds" "$warmup" | grep -E '^(RESULT|consume:|produce:)'
  say "load after run $run: $(cut -d' ' -f1-3 /proc/loadavg)"
done
