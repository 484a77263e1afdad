#!/usr/bin/env bash
# Issue #11's cluster benchmark: a 3-node Fjord cluster and a 3-node Apache Kafka 4.4.0 KRaft cluster (every node
# broker and controller, a voter of the metadata quorum), started, measured and stopped one after the other with the
# same procedure, several rounds, each round on fresh directories. Per round and system:
#   1. ready: the time from launching the cluster to every node answering a Metadata request that lists all 3
#      brokers under a cluster id (the criterion of `fjord cluster`'s own readiness probe). Fjord is launched as
#      `fjord cluster --nodes 3` (java -jar server/target/fjord-server.jar cluster ..., i.e. ./fjord without its
#      build check) and its time includes formatting the 3 nodes, which the command does; Kafka's nodes are formatted
#      first (kafka-storage format, 3 in parallel, timed apart) and its 3 kafka.Kafka processes launched together.
#   2. create-rate: 100 topics of 10 partitions, one topic per CreateTopics, one request at a time and 16 in flight;
#      replication factor 1 and 3 on both.
#   3. failover: a client creates a one-partition topic every 50 ms; kill -9 of the active controller's process (the
#      metadata quorum's leader, from DescribeQuorum on the controller listeners); reported, from the kill: a
#      surviving voter names a new leader (election), a surviving node's Metadata lists a topic whose creation was
#      sent after the kill (committed: the next committed metadata change), the client gets a successful answer to
#      such a creation (answered: adds the Admin client's routing and retries).
# The measuring client is io.fjord.bench.cluster.ClusterBench (bench/target/fjord-bench.jar, the Kafka Admin client).
# Both systems' nodes get the same JVM options: heap HEAP each and Kafka's shipped G1 settings; the clusters are launched
# and stopped by bench/clusters.sh, shared with bench/replication-bench.sh. The machine's 1-minute
# load average is recorded as each system's round starts: on a shared machine it explains much of the spread.
#
# Usage: bench/cluster-bench.sh [--rounds N] [--topics N] [--heap SIZE] [--fjord-port P] [--kafka-port P]
#                               [--only fjord|kafka] [--keep]
#   --rounds N      measured rounds (default 3)
#   --topics N      topics per create-rate run (default 100)
#   --heap SIZE     -Xms/-Xmx of every node (default 512m)
#   --fjord-port P  Fjord node i listens on P+2(i-1) and the next port for the quorum (default 21092)
#   --kafka-port P  the same for Kafka (default 22092)
#   --only SYSTEM   run one system only
#   --keep          keep the working directory (data, logs)
# Environment: BENCH_DIR (working directory; default a new temporary directory), REBUILD=1 (rebuild the jars).
set -euo pipefail

script_name=cluster-bench
# shellcheck source=bench/brokers.sh
source "$(dirname "${BASH_SOURCE[0]}")/brokers.sh"

rounds=3
topic_count=100
heap=512m
fjord_port=21092
kafka_port=22092
only=""
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --topics) topic_count="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --fjord-port) fjord_port="$2"; shift 2 ;;
    --kafka-port) kafka_port="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) say "unknown option $1 (see --help)"; exit 2 ;;
  esac
done
build_if_needed

record_width=28
bench_heap=-Xmx256m
# shellcheck source=bench/clusters.sh
source "$(dirname "${BASH_SOURCE[0]}")/clusters.sh"
cluster_setup

bench_tool() { # mode args...: prints the RESULT line; the rest goes to the log
  bench_class "$bench_heap" cluster.ClusterBench ClusterBench "$@"
}

create_rates() { # round system base-port replication-factors...
  local round="$1" system="$2" base="$3"; shift 3
  local factor in_flight result
  for factor in "$@"; do
    for in_flight in 1 16; do
      result="$(bench_tool create-rate -b "$(node_list "$base")" --topics "$topic_count" --partitions 10 \
        --replication-factor "$factor" --in-flight "$in_flight" --prefix "rate-rf$factor-k$in_flight")" || continue
      record "$round" "$system" "topics_per_s_rf${factor}_inflight$in_flight" "$(field "$result" topics_per_s)"
      record "$round" "$system" "create_p50_ms_rf${factor}_inflight$in_flight" "$(field "$result" p50_ms)"
    done
  done
}

failover() { # round system base-port pid-arguments...
  local round="$1" system="$2" base="$3"; shift 3
  local result
  result="$(bench_tool failover -b "$(node_list "$base")" --controller "1@localhost:$((base + 1))" \
    --controller "2@localhost:$((base + 3))" --controller "3@localhost:$((base + 5))" "$@" --prefix failover)" \
    || return 0
  record "$round" "$system" failover_election_ms "$(field "$result" election_ms)"
  record "$round" "$system" failover_committed_ms "$(field "$result" committed_ms)"
  record "$round" "$system" failover_answered_ms "$(field "$result" answered_ms)"
}

fjord_round() { # round
  local round="$1" directory="$work/fjord-$1" pids=() node
  record "$round" Fjord load_average_1m "$(cut -d' ' -f1 /proc/loadavg)"
  launch_fjord_cluster "$round" "$directory" "" || return 1
  record "$round" Fjord own_ready_line_s "$(sed -n 's/.*ready in \([0-9.]*\) s).*/\1/p' "$work/fjord-$round.out")"
  for node in 1 2 3; do pids+=(--pid "$node=${node_pid[$node]}"); done
  create_rates "$round" Fjord "$fjord_port" 1 3
  failover "$round" Fjord "$fjord_port" "${pids[@]}"
  stop_all
}

kafka_round() { # round
  local round="$1" directory="$work/kafka-$1" cluster_id started pids=() node
  record "$round" Kafka load_average_1m "$(cut -d' ' -f1 /proc/loadavg)"
  write_kafka_cluster "$directory" "offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1"
  cluster_id="$(kafka_cluster_id)"
  started=$(date +%s%3N)
  format_kafka_cluster "$directory" "$cluster_id"
  record "$round" Kafka format_s "$(awk -v a="$started" -v b="$(date +%s%3N)" 'BEGIN {printf "%.3f", (b - a) / 1000}')"
  launch_kafka_cluster "$round" "$directory" "" || return 1
  for node in 1 2 3; do pids+=(--pid "$node=${node_pid[$node]}"); done
  create_rates "$round" Kafka "$kafka_port" 1 3
  failover "$round" Kafka "$kafka_port" "${pids[@]}"
  stop_all
}

echo "cluster-bench: $rounds rounds; 3 nodes (broker+controller) per system, heap $heap each; $topic_count topics of 10 partitions per create-rate run"
run_rounds

echo
python3 - "$results" <<'PYTHON'
import csv
import statistics
import sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
metrics = list(dict.fromkeys(row["metric"] for row in rows))
print(f"{'metric':32} {'system':6} {'n':>2} {'mean':>9} {'median':>9} {'min':>9} {'max':>9}")
for metric in metrics:
    for system in ("Fjord", "Kafka"):
        values = [float(row["value"]) for row in rows if row["metric"] == metric and row["system"] == system
                  and row["value"] not in ("", "-1.0", "-1")]
        if values:
            print(f"{metric:32} {system:6} {len(values):>2} {statistics.mean(values):>9.2f} "
                  f"{statistics.median(values):>9.2f} {min(values):>9.2f} {max(values):>9.2f}")
PYTHON
if [[ "$keep" == "1" || -n "${BENCH_DIR:-}" ]]; then say "per-round figures in $results"; fi
