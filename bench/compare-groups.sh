#!/usr/bin/env bash
# Consumer-group benchmark (issue #4) against Apache Kafka 4.4.0 and Fjord on this machine, alternating, with the
# ratios: how long a group takes to settle and how fast offsets are committed.
#
# Rebalance: a fresh topic of --partitions partitions (900 by default) per broker and round, created with Kafka's
# kafka-topics tool; --consumers members (10) start at once and the load tool's `rebalance` mode times three phases:
# until the first members settle (every partition owned by exactly one member, shares balanced), until one more member
# joining has its share, until one member leaving has had its partitions moved (the join and the leave each start
# after 6 s of quiet, longer than a heartbeat interval). Group protocols (--protocols):
#   classic              group.protocol=classic with the client's default assignor (range, eager)
#   classic-cooperative  group.protocol=classic with the CooperativeStickyAssignor (incremental)
#   consumer             group.protocol=consumer (KIP-848), the broker's default server assignor (uniform)
# Commit: the load tool's `commit` mode, --commit-threads consumers (4) each committing a rising offset of its own
# partition with commitSync, --commits in total (100000); commits/s and latency p50/p99.
# Both brokers run at the same time with the same JVM options; group.initial.rebalance.delay.ms is set to
# --initial-delay-ms on both (default 0, as Kafka's shipped server.properties does: a fixed wait for more members of
# a new classic group, not protocol work).
#
# Usage: bench/compare-groups.sh [--rounds N] [--consumers N] [--partitions N] [--protocols "P ..."]
#                                [--commits N] [--commit-threads N] [--initial-delay-ms MS] [--heap SIZE]
#                                [--kafka-port PORT] [--fjord-port PORT] [--progress] [--keep]
# Environment: BENCH_DIR (working directory; default a new temporary directory), REBUILD=1 (rebuild the jars).
set -euo pipefail

script_name=compare-groups
# shellcheck source=bench/brokers.sh
source "$(dirname "${BASH_SOURCE[0]}")/brokers.sh"

rounds=3
consumers=10
partitions=900
protocols="classic classic-cooperative consumer"
commits=100000
commit_threads=4
initial_delay_ms=0
heap=512m
kafka_port=19092
fjord_port=29092
progress=0
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --consumers) consumers="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --protocols) protocols="$2"; shift 2 ;;
    --commits) commits="$2"; shift 2 ;;
    --commit-threads) commit_threads="$2"; shift 2 ;;
    --initial-delay-ms) initial_delay_ms="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --kafka-port) kafka_port="$2"; shift 2 ;;
    --fjord-port) fjord_port="$2"; shift 2 ;;
    --progress) progress=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) say "unknown option $1 (see --help)"; exit 2 ;;
  esac
done
broker_properties="group.initial.rebalance.delay.ms=$initial_delay_ms"
build_if_needed
start_brokers


protocol_options() { # protocol
  case "$1" in
    classic) echo "--group-protocol classic" ;;
    classic-cooperative) echo "--group-protocol classic -X partition.assignment.strategy=org.apache.kafka.clients.consumer.CooperativeStickyAssignor" ;;
    consumer) echo "--group-protocol consumer" ;;
    *) say "unknown protocol $1"; exit 2 ;;
  esac
}

results="$work/results.tsv"
printf 'round\tbroker\tprotocol\tinitial_ms\tjoin_ms\tleave_ms\n' >"$results"
commit_results="$work/commits.tsv"
printf 'round\tbroker\tcommits_per_sec\tp50_ms\tp99_ms\n' >"$commit_results"

run() { # round broker
  local round="$1" broker="$2" topic="groups-r$1-$2" protocol result
  topics "$broker" --create --topic "$topic" --partitions "$partitions" --replication-factor 1
  for protocol in $protocols; do
    # shellcheck disable=SC2046 # the options are a list on purpose
    result="$(load_tool rebalance "$broker" -t "$topic" -p "$partitions" -c "$consumers" $(protocol_options "$protocol"))"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$broker" "$protocol" "$(field "$result" initial_ms)" \
      "$(field "$result" join_ms)" "$(field "$result" leave_ms)" >>"$results"
    printf '%-7s %-5s %-20s %d members settle %6d ms | one joins %6d ms | one leaves %6d ms\n' "$round" "$broker" \
      "$protocol" "$consumers" "$(field "$result" initial_ms)" "$(field "$result" join_ms)" \
      "$(field "$result" leave_ms)"
  done
  topics "$broker" --delete --topic "$topic"
  result="$(load_tool commit "$broker" -t "commits-r$round-$broker" -n "$commits" --threads "$commit_threads")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$broker" "$(field "$result" commits_per_sec)" "$(field "$result" p50_ms)" \
    "$(field "$result" p99_ms)" >>"$commit_results"
  printf '%-7s %-5s commit %8.0f commits/s p50 %6.2f ms p99 %6.2f ms\n' "$round" "$broker" \
    "$(field "$result" commits_per_sec)" "$(field "$result" p50_ms)" "$(field "$result" p99_ms)"
}

echo "compare-groups: $rounds rounds; $consumers consumers on $partitions partitions ($protocols); $commits commits by $commit_threads threads; heap $heap"
for round in $(seq 1 "$rounds"); do
  if (( round % 2 == 1 )); then order=(Kafka Fjord); else order=(Fjord Kafka); fi
  for broker in "${order[@]}"; do
    run "$round" "$broker"
  done
done

echo
memory "$kafka_pid" Kafka
memory "$fjord_pid" Fjord

echo
python3 - "$results" "$commit_results" <<'PYTHON'
import csv
import statistics
import sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
for protocol in dict.fromkeys(row["protocol"] for row in rows):
    for phase in ("initial_ms", "join_ms", "leave_ms"):
        def mean(broker):
            values = [float(r[phase]) for r in rows if r["broker"] == broker and r["protocol"] == protocol]
            return statistics.mean(values) if values else float("nan")
        kafka, fjord = mean("Kafka"), mean("Fjord")
        print(f"{protocol:20s} {phase[:-3]:8s}: Kafka mean {kafka:8.0f} ms, Fjord mean {fjord:8.0f} ms; "
              f"Kafka/Fjord = {kafka / fjord if fjord else float('nan'):.2f}x")
commits = list(csv.DictReader(open(sys.argv[2]), delimiter="\t"))
def commit_mean(broker, column):
    return statistics.mean(float(r[column]) for r in commits if r["broker"] == broker)
kafka, fjord = commit_mean("Kafka", "commits_per_sec"), commit_mean("Fjord", "commits_per_sec")
print(f"commit: Kafka mean {kafka:,.0f} commits/s (p99 {commit_mean('Kafka', 'p99_ms'):.2f} ms), "
      f"Fjord mean {fjord:,.0f} commits/s (p99 {commit_mean('Fjord', 'p99_ms'):.2f} ms); Fjord/Kafka = {fjord / kafka:.2f}x")
PYTHON
if [[ "$keep" == "1" || -n "${BENCH_DIR:-}" ]]; then
  say "per-run figures in $results and $commit_results"
fi
