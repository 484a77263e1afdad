#!/usr/bin/env bash
# Fjord's protocol fuzzer (issue #10): seeded, replayable, mutated but well-framed Kafka requests against a node,
# with a health check (ApiVersions, Metadata, produce and fetch of one record) and a memory check every N frames.
#
#   bench/fuzz.sh --seed 1,2 --frames 20000          # a fresh node (child JVM, -Xmx512m) per seed
#   bench/fuzz.sh --bootstrap 127.0.0.1:9092 --seed 5 --frames 100000 [--node-pid PID]
#   bench/fuzz.sh --replay 1:4500-4999               # re-send frames 4500..4999 of seed 1, printing each
#   bench/fuzz.sh --replay 1:4711                    # re-send exactly one frame
#   bench/fuzz.sh --help                             # every option (--health-every, --rss-limit-mb, ...)
#
# Builds the server and bench jars first when they are missing (REBUILD=1 forces it). Exit code 0 when every check
# passed, 1 at the first failure (the seed and frame range are printed), 2 when the run could not start.
set -euo pipefail
bench_module="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$bench_module")"
server_jar="$root/server/target/fjord-server.jar"
bench_jar="$bench_module/target/fjord-bench.jar"
if [[ ! -f "$server_jar" || ! -f "$bench_jar" || "${REBUILD:-0}" == "1" ]]; then
  echo "fuzz: building the Fjord server and the bench jar" >&2
  (cd "$root" && mvn -q -B -ntp -pl server,bench -am package -DskipTests)
fi
java_bin="java"
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  java_bin="$JAVA_HOME/bin/java"
fi
exec "$java_bin" -Xmx1g -cp "$bench_jar" io.fjord.bench.fuzz.FuzzTool --server-classpath "$server_jar" "$@"
