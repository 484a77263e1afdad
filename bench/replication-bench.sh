#!/usr/bin/env bash
# Issue #12's replication benchmark (and issue #11's figures that need replication): a 3-node Fjord cluster and a
# 3-node Apache Kafka 4.4.0 KRaft cluster (every node broker and controller, launched by bench/clusters.sh exactly as
# bench/cluster-bench.sh launches them, heap HEAP each and Kafka's shipped G1 settings on both; Fjord's nodes also get
# its launcher's JIT option, Kafka's only with --kafka-java-opts), measured one after the other with the same
# procedure, several rounds alternating which system goes first, each round on fresh directories. Both clusters run
# with min.insync.replicas=2; every topic below has replication factor 3. Per round and system:
#   1. create: 10-partition RF 3 topics, one per CreateTopics, 1 and 16 requests in flight (ClusterBench create-rate).
#   2. throughput: for 100-byte and 1 KB records, a new topic of P partitions (waited for until every replica is in
#      sync), then one producer (the load tool: acks=all, linger.ms=5, batch.size=16384, no compression, idempotent
#      as the client's default) sends N records as fast as it can: records/s, MB/s, and the 3 brokers' CPU time
#      (and, of that, their JIT compiler threads' and the kernel's), and the producer process's CPU time.
#      A warm-up of N/5 records of the same size into the same topic runs first, not counted (--warmup-records-*:
#      more, so that the measured run sees both systems' JIT-compiled code rather than their compilers at work).
#   3. latency: for both sizes, a new topic; the load tool's end-to-end mode offers a fixed load (the same on both
#      systems: --latency-rate-*) while a consumer in the same process reads; latency is from the time each record
#      was due to be sent to the time the consumer got it: p50/p99/p99.9/max over --latency-seconds, after a warm-up of
#      --latency-warmup-seconds at the same rate that is not counted (the load tool's JVM is new: on both systems its
#      first seconds are its own JIT warm-up, seen as a backlog of hundreds of ms that drains over 2-8 s).
#   4. catch-up: a new topic of P partitions; node 3 is stopped (SIGTERM, a clean shutdown); CATCH_UP_BYTES of 1 KB
#      records are written (acks=all: the 2 remaining replicas are enough); node 3 is started again with its own
#      command line and timed until it is back in the ISR of every partition (ClusterBench in-sync); also when it
#      first answered a Metadata request (JVM start and log recovery). Reported: the bytes of the topic's segment
#      files node 3 gained, and that over the time to in sync and over the time after it answered.
#   5. leader-move: a topic of L partitions all led by one broker (the lowest id that is not the metadata quorum's
#      leader) with the other two as followers; once it has led them all with the full ISR for 10 s, kill -9; the
#      time from the kill to a surviving broker's Metadata showing every partition led elsewhere (ClusterBench
#      leader-move); also how often the victim's leaderships broke before they held (e.g. brokers fenced while the
#      cluster was still creating the topic's logs).
# Once per run, before the rounds, the disk's sequential write rate: dd of CATCH_UP_BYTES (64 MiB to 1 GiB) in 1 MiB
# blocks with oflag=direct into the working directory. The machine's 1-minute load average is recorded as each system's round starts.
# Before each system's round the disk is settled: sync, timed (disk_settle_s), so that the write-back of the previous
# round's data is over before the next cluster starts and neither system pays for the other's round (dropping a
# round's data with rm -rf already waits for its discards where the file system is mounted with discard). Then the
# free memory is filled with clean page cache (memory_fill_s, memory_filled_gib), so that both systems write into
# pages the kernel reclaims, as brokers in steady state do, rather than into free pages that the hypervisor of a
# virtual machine may have taken back (see fill_page_cache in bench/clusters.sh; --no-fill-memory skips it).
# Measuring clients: bench/target/fjord-bench.jar (io.fjord.bench.cluster.ClusterBench, io.fjord.bench.load.LoadTool).
#
# Usage: bench/replication-bench.sh [--rounds N] [--only fjord|kafka] [--phases LIST] [--partitions P]
#                                   [--records-100 N] [--records-1k N] [--latency-rate-100 R] [--latency-rate-1k R]
#                                   [--latency-seconds S] [--latency-warmup-seconds S] [--catch-up-bytes B] [--topics N] [--leaderships L]
#                                   [--warmup-records-100 N] [--warmup-records-1k N] [--heap SIZE]
#                                   [--fjord-port P] [--kafka-port P] [--kafka-java-opts "OPTIONS"]
#                                   [--broker-config KEY=VALUE]... [--jfr] [--keep] [--no-fill-memory]
#   --rounds N            measured rounds (default 2)
#   --only SYSTEM         run one system only
#   --phases LIST         comma-separated subset of create,throughput,latency,catch-up,leader-move (default all)
#   --partitions P        partitions of the throughput, latency and catch-up topics (default 6)
#   --records-100 N       records of the 100-byte throughput run (default 2000000)
#   --records-1k N        records of the 1 KB throughput run (default 500000)
#   --warmup-records-100 N  records of the 100-byte warm-up before the throughput run (default records-100 / 5)
#   --warmup-records-1k N   the same for 1 KB (default records-1k / 5)
#   --latency-rate-100 R  offered load of the 100-byte latency run, records/s (default 40000)
#   --latency-rate-1k R   offered load of the 1 KB latency run, records/s (default 15000)
#   --latency-seconds S   length of each latency run's measured part (default 20)
#   --latency-warmup-seconds S  records offered before it, not counted (default 10)
#   --catch-up-bytes B    bytes written while node 3 is down (default 1073741824, 1 GiB)
#   --topics N            topics per create-rate run (default 30)
#   --leaderships L       partitions led by the killed broker (default 1000)
#   --heap SIZE           -Xms/-Xmx of every node (default 512m)
#   --fjord-port P        Fjord node i listens on P+2(i-1) and the next port for the quorum (default 23092)
#   --kafka-port P        the same for Kafka (default 24092)
#   --kafka-java-opts O   further JVM options for every Kafka node (default none: Kafka as its scripts launch it);
#                         e.g. "-XX:PerMethodTrapLimit=0", the JIT option Fjord's launcher gives its nodes
#   --broker-config K=V   a server.properties setting for every node of both systems (repeatable), e.g.
#                         num.network.threads=1, to compare both at a setting other than their defaults
#   --jfr                 record every node with Java Flight Recorder (settings=profile) into ROUND-DIR/jfr/;
#                         read with `jfr print --events jdk.ExecutionSample FILE` or `jfr summary FILE`
#   --keep                keep the working directory (data, logs); otherwise each round's data goes when it ends
#   --no-fill-memory      leave the free memory free before each round (see fill_page_cache in bench/clusters.sh)
# Environment: BENCH_DIR (working directory; default a new temporary directory), REBUILD=1 (rebuild the jars),
#              FJORD_SERVER_DIR (run another build of Fjord: a copy of its server/target; default this checkout's).
set -euo pipefail

script_name=replication-bench
# shellcheck source=bench/brokers.sh
source "$(dirname "${BASH_SOURCE[0]}")/brokers.sh"

rounds=2
only=""
phases="create,throughput,latency,catch-up,leader-move"
partitions=6
records_100=2000000
records_1k=500000
warmup_records_100=""
warmup_records_1k=""
latency_rate_100=40000
latency_rate_1k=15000
latency_seconds=20
latency_warmup_seconds=10
catch_up_bytes=1073741824
topic_count=30
leaderships=1000
heap=512m
fjord_port=23092
kafka_port=24092
keep=0
fill_memory=1
jfr=0
kafka_java_opts=""
broker_config=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --phases) phases="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --records-100) records_100="$2"; shift 2 ;;
    --records-1k) records_1k="$2"; shift 2 ;;
    --warmup-records-100) warmup_records_100="$2"; shift 2 ;;
    --warmup-records-1k) warmup_records_1k="$2"; shift 2 ;;
    --latency-rate-100) latency_rate_100="$2"; shift 2 ;;
    --latency-rate-1k) latency_rate_1k="$2"; shift 2 ;;
    --latency-seconds) latency_seconds="$2"; shift 2 ;;
    --latency-warmup-seconds) latency_warmup_seconds="$2"; shift 2 ;;
    --catch-up-bytes) catch_up_bytes="$2"; shift 2 ;;
    --topics) topic_count="$2"; shift 2 ;;
    --leaderships) leaderships="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --fjord-port) fjord_port="$2"; shift 2 ;;
    --kafka-port) kafka_port="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-fill-memory) fill_memory=0; shift ;;
    --jfr) jfr=1; shift ;;
    --kafka-java-opts) kafka_java_opts="$2"; shift 2 ;;
    --broker-config)
      [[ "$2" == *=* ]] || { say "--broker-config takes KEY=VALUE"; exit 2; }
      broker_config+="$2"$'\n'; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) say "unknown option $1 (see --help)"; exit 2 ;;
  esac
done
[[ -z "$only" || "$only" == fjord || "$only" == kafka ]] || { say "--only is fjord or kafka"; exit 2; }
build_if_needed

record_width=34
bench_heap=-Xmx1g
# shellcheck source=bench/clusters.sh
source "$(dirname "${BASH_SOURCE[0]}")/clusters.sh"
cluster_setup

recording() { # directory: the JVM options that record a node: its GC log, and JFR with --jfr
  # One line per collection (pauses), kept with the nodes' logs after the round: cheap, and the same on both systems.
  local options="-Xlog:gc:file=$1/gc-%p.log:uptime,time"
  # A directory as the file name: each JVM writes its own file there, named after its pid.
  if [[ "$jfr" == 1 ]]; then mkdir -p "$1/jfr"; options="$options -XX:StartFlightRecording=settings=profile,filename=$1/jfr"; fi
  echo "$options"
}

has_phase() { [[ ",$phases," == *",$1,"* ]]; }

bench_tool() { # class mode args...: prints the RESULT line; the rest goes to the log
  local class="$1"
  shift
  bench_class "$bench_heap" "$class" "$class" "$@"
}

brokers_cpu() { # the current nodes' CPU seconds together
  local node total=0
  for node in 1 2 3; do
    total="$(awk -v a="$total" -v b="$(cpu_seconds "${node_pid[$node]}" 2>/dev/null || echo 0)" 'BEGIN {printf "%.2f", a + b}')"
  done
  echo "$total"
}

brokers_system_cpu() { # the current nodes' CPU seconds in the kernel together (system calls, network, page cache)
  local node total=0
  for node in 1 2 3; do
    total="$(awk -v a="$total" -v ticks="$clock_ticks" '{sub(/.*\) /, ""); printf "%.2f", a + $13 / ticks}' \
      "/proc/${node_pid[$node]}/stat" 2>/dev/null || echo "$total")"
  done
  echo "$total"
}

brokers_jit_cpu() { # the current nodes' JIT compiler threads' CPU seconds together (short runs are full of them)
  local node task total=0
  for node in 1 2 3; do
    for task in /proc/"${node_pid[$node]}"/task/*; do
      [[ "$(cat "$task/comm" 2>/dev/null)" == C[12]\ CompilerThre* ]] || continue
      total="$(awk -v a="$total" -v ticks="$clock_ticks" '{sub(/.*\) /, ""); printf "%.2f", a + ($12 + $13) / ticks}' \
        "$task/stat" 2>/dev/null || echo "$total")"
    done
  done
  echo "$total"
}

ended_children_cpu() { # CPU seconds of this shell's ended children (a bench tool's, with its JVM, once it returned)
  awk -v ticks="$clock_ticks" '{sub(/.*\) /, ""); printf "%.2f", ($14 + $15) / ticks}' "/proc/$$/stat"
}

segment_bytes() { # data directory, topic: the bytes of the topic's segment files there
  find "$1" -path "*/$2-[0-9]*/*.log" -printf '%s\n' 2>/dev/null | awk '{sum += $1} END {printf "%d", sum}'
}

new_topic() { # base port topic: creates an RF 3 topic of $partitions partitions; waits until all replicas are in sync
  bench_tool cluster.ClusterBench in-sync -b "$(node_list "$1")" --topic "$2" --create-partitions "$partitions" \
    --replication-factor 3 --config min.insync.replicas=2 --timeout-s 120 >/dev/null
}

create_rates() { # round system base-port
  local in_flight result
  for in_flight in 1 16; do
    result="$(bench_tool cluster.ClusterBench create-rate -b "$(node_list "$3")" --topics "$topic_count" \
      --partitions 10 --replication-factor 3 --in-flight "$in_flight" --prefix "rate-k$in_flight")" || continue
    record "$1" "$2" "topics_per_s_rf3_inflight$in_flight" "$(field "$result" topics_per_s)"
    record "$1" "$2" "create_p50_ms_rf3_inflight$in_flight" "$(field "$result" p50_ms)"
  done
}

throughput() { # round system base-port
  local size count warmup topic result cpu_start jit_start client_start client_end system_start
  for size in 100 1024; do
    count="$records_100"; warmup="${warmup_records_100:-$((records_100 / 5))}"
    [[ "$size" == 1024 ]] && { count="$records_1k"; warmup="${warmup_records_1k:-$((records_1k / 5))}"; }
    topic="throughput-$size"
    new_topic "$3" "$topic" || continue
    bench_tool load.LoadTool produce -b "$(node_list "$3")" -t "$topic" -n "$warmup" -s "$size" \
      --acks all --linger-ms 5 --batch-size 16384 --compression none >/dev/null || continue
    cpu_start="$(brokers_cpu)"
    jit_start="$(brokers_jit_cpu)"
    system_start="$(brokers_system_cpu)"
    client_start="$(ended_children_cpu)"
    result="$(bench_tool load.LoadTool produce -b "$(node_list "$3")" -t "$topic" -n "$count" -s "$size" \
      --acks all --linger-ms 5 --batch-size 16384 --compression none)" || continue
    client_end="$(ended_children_cpu)" # before the helpers below add their own processes' CPU
    record "$1" "$2" "produce_rps_$size" "$(field "$result" records_per_sec)"
    record "$1" "$2" "produce_mbps_$size" "$(field "$result" mb_per_sec)"
    record "$1" "$2" "produce_ack_p99_ms_$size" "$(field "$result" p99_ms)"
    record "$1" "$2" "brokers_cpu_s_per_1m_records_$size" \
      "$(awk -v a="$cpu_start" -v b="$(brokers_cpu)" -v n="$count" 'BEGIN {printf "%.2f", (b - a) * 1e6 / n}')"
    # Of that, the JIT compilers' share: a short run's figure is otherwise as much compilation as replication.
    record "$1" "$2" "brokers_jit_cpu_s_per_1m_records_$size" \
      "$(awk -v a="$jit_start" -v b="$(brokers_jit_cpu)" -v n="$count" 'BEGIN {printf "%.2f", (b - a) * 1e6 / n}')"
    record "$1" "$2" "brokers_system_cpu_s_per_1m_records_$size" \
      "$(awk -v a="$system_start" -v b="$(brokers_system_cpu)" -v n="$count" 'BEGIN {printf "%.2f", (b - a) * 1e6 / n}')"
    # The producer's own CPU (the same client on both systems): with it on the same cores, it bounds the ratio.
    record "$1" "$2" "client_cpu_s_per_1m_records_$size" \
      "$(awk -v a="$client_start" -v b="$client_end" -v n="$count" 'BEGIN {printf "%.2f", (b - a) * 1e6 / n}')"
  done
}

latency() { # round system base-port
  local size rate topic result
  for size in 100 1024; do
    rate="$latency_rate_100"; [[ "$size" == 1024 ]] && rate="$latency_rate_1k"
    topic="latency-$size"
    new_topic "$3" "$topic" || continue
    result="$(bench_tool load.LoadTool end-to-end -b "$(node_list "$3")" -t "$topic" -s "$size" \
      -n $((rate * (latency_warmup_seconds + latency_seconds))) --throughput "$rate" \
      --warmup-records $((rate * latency_warmup_seconds)))" || continue
    record "$1" "$2" "e2e_rate_$size" "$rate"
    record "$1" "$2" "e2e_p50_ms_$size" "$(field "$result" p50_ms)"
    record "$1" "$2" "e2e_p99_ms_$size" "$(field "$result" p99_ms)"
    record "$1" "$2" "e2e_p999_ms_$size" "$(field "$result" p999_ms)"
    record "$1" "$2" "e2e_max_ms_$size" "$(field "$result" max_ms)"
  done
}

catch_up() { # round system base-port directory
  local round="$1" system="$2" base="$3" directory="$4" topic=catch-up pid before after result seconds serving
  local -a command
  new_topic "$base" "$topic" || return 0
  pid="${node_pid[3]}"
  mapfile -d '' command <"/proc/$pid/cmdline"
  kill -TERM "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && { say "node 3 did not stop in 60 s"; kill -KILL "$pid"; }
  before="$(segment_bytes "$directory/node-3/data" "$topic")"
  result="$(bench_tool load.LoadTool produce -b "localhost:$base,localhost:$((base + 2))" -t "$topic" \
    -n $((catch_up_bytes / 1024)) -s 1024 --acks all --linger-ms 5 --batch-size 16384 --compression none)" || return 0
  record "$round" "$system" catch_up_written_mb "$(awk -v b="$(field "$result" bytes)" 'BEGIN {printf "%.1f", b / 1048576}')"
  result="$(FJORD_LOG_DIR="$directory/node-3" bench_tool cluster.ClusterBench in-sync -b "$(node_list "$base")" \
    --topic "$topic" --broker 3 --serving "localhost:$((base + 4))" --launch-log "$directory/node-3/restart.out" \
    -- "${command[@]}")" || return 0
  node_pid[3]="$(field "$result" launched_pid)"
  running_pids+=("${node_pid[3]}")
  [[ "$(field "$result" in_sync)" == true ]] || { say "node 3 of $system did not catch up; see $log"; return 0; }
  after="$(segment_bytes "$directory/node-3/data" "$topic")"
  seconds="$(field "$result" seconds)"
  serving="$(field "$result" serving_s)"
  record "$round" "$system" catch_up_copied_mb "$(awk -v a="$before" -v b="$after" 'BEGIN {printf "%.1f", (b - a) / 1048576}')"
  record "$round" "$system" catch_up_start_to_serving_s "$serving"
  record "$round" "$system" catch_up_start_to_in_sync_s "$seconds"
  record "$round" "$system" catch_up_mbps_from_start \
    "$(awk -v a="$before" -v b="$after" -v s="$seconds" 'BEGIN {printf "%.1f", (b - a) / 1048576 / s}')"
  record "$round" "$system" catch_up_mbps_from_serving \
    "$(awk -v a="$before" -v b="$after" -v s="$seconds" -v t="$serving" 'BEGIN {printf "%.1f", (b - a) / 1048576 / (s - t)}')"
}

leader_move() { # round system base-port
  local result pids=() node
  for node in 1 2 3; do pids+=(--pid "$node=${node_pid[$node]}"); done
  # shellcheck disable=SC2046 # controllers prints several arguments on purpose
  result="$(bench_tool cluster.ClusterBench leader-move -b "$(node_list "$3")" $(controllers "$3") "${pids[@]}" \
    --topic leader-move --partitions "$leaderships" --timeout-s 180)" || return 0
  record "$1" "$2" leader_move_first_ms "$(field "$result" first_moved_ms)"
  record "$1" "$2" leader_move_all_ms "$(field "$result" all_moved_ms)"
  record "$1" "$2" leader_move_broke_before_kill "$(field "$result" broke_before_kill)"
}

measure() { # round system base-port directory
  has_phase create && create_rates "$1" "$2" "$3"
  has_phase throughput && throughput "$1" "$2" "$3"
  has_phase latency && latency "$1" "$2" "$3"
  has_phase catch-up && catch_up "$1" "$2" "$3" "$4"
  has_phase leader-move && leader_move "$1" "$2" "$3"
  return 0
}

round_begins() { # round system: settles the disk (the previous round's write-back ends), fills the free memory with
  # clean page cache (fill_page_cache in clusters.sh; not with --no-fill-memory), records the load average
  local started ended filled
  started="$(date +%s%N)"
  sync
  ended="$(date +%s%N)"
  record "$1" "$2" disk_settle_s "$(awk -v n=$((ended - started)) 'BEGIN { printf "%.1f", n / 1e9 }')"
  if [[ "$fill_memory" == 1 ]]; then
    filled="$(fill_page_cache)"
    record "$1" "$2" memory_fill_s "${filled% *}"
    record "$1" "$2" memory_filled_gib "${filled#* }"
  fi
  record "$1" "$2" load_average_1m "$(cut -d' ' -f1 /proc/loadavg)"
}

fjord_round() { # round
  local round="$1" directory="$work/fjord-$1"
  round_begins "$round" Fjord
  mkdir -p "$directory"
  printf 'min.insync.replicas=2\n%s' "$broker_config" >"$work/fjord-extra.properties"
  launch_fjord_cluster "$round" "$directory" "$(recording "$directory")" --config "$work/fjord-extra.properties" \
    || return 1
  measure "$round" Fjord "$fjord_port" "$directory"
  stop_all
  drop_round_data "$directory"
}

drop_round_data() { # directory: a round's logs are gigabytes (long runs fill the disk); kept only with --keep
  if [[ "$keep" == 0 ]]; then
    # The nodes' own logs (not the data directories) stay, in node-logs/, for what a round's figures do not show.
    local file
    while IFS= read -r file; do
      mkdir -p "$work/node-logs/$(dirname "${file#"$work"/}")"
      cp "$file" "$work/node-logs/${file#"$work"/}"
    done < <(find "$1" -type f \( -name '*.log' -o -name '*.log.*' -o -name '*.out' \) ! -path '*/data/*' -size -200M)
    rm -rf "$1"
  fi
}

kafka_round() { # round
  local round="$1" directory="$work/kafka-$1"
  round_begins "$round" Kafka
  write_kafka_cluster "$directory" "min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
$broker_config"
  format_kafka_cluster "$directory" "$(kafka_cluster_id)"
  launch_kafka_cluster "$round" "$directory" "$(recording "$directory")${kafka_java_opts:+ $kafka_java_opts}" \
    || return 1
  measure "$round" Kafka "$kafka_port" "$directory"
  stop_all
  drop_round_data "$directory"
}

echo "replication-bench: $rounds rounds; 3 nodes (broker+controller) per system, heap $heap each; RF 3, acks=all," \
  "min.insync.replicas=2; phases $phases"
if has_phase catch-up; then
  disk_mb=$(( catch_up_bytes / 1048576 < 64 ? 64 : (catch_up_bytes / 1048576 > 1024 ? 1024 : catch_up_bytes / 1048576) ))
  disk="$(dd if=/dev/zero of="$work/disk-rate.test" bs=1M count="$disk_mb" oflag=direct 2>&1 | tail -1)"
  rm -f "$work/disk-rate.test"
  echo "disk: $disk" | tee -a "$log"
  record 0 disk sequential_write_mbps_direct \
    "$(sed -n 's/.*copied, \([0-9.]*\) s,.*/\1/p' <<<"$disk" | awk -v mb="$disk_mb" '{printf "%.1f", mb / $1}')"
fi
run_rounds

echo
python3 - "$results" <<'PYTHON'
import csv
import statistics
import sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
metrics = list(dict.fromkeys(row["metric"] for row in rows if row["system"] != "disk"))
print(f"{'metric':36} {'system':6} {'n':>2} {'mean':>10} {'median':>10} {'min':>10} {'max':>10}")
means = {}
for metric in metrics:
    for system in ("Fjord", "Kafka"):
        values = [float(row["value"]) for row in rows if row["metric"] == metric and row["system"] == system
                  and row["value"] not in ("", "-1.0", "-1", "-1.000")]
        if values:
            means[(metric, system)] = statistics.mean(values)
            print(f"{metric:36} {system:6} {len(values):>2} {statistics.mean(values):>10.2f} "
                  f"{statistics.median(values):>10.2f} {min(values):>10.2f} {max(values):>10.2f}")
for metric in metrics:
    if (metric, "Fjord") in means and (metric, "Kafka") in means and means[(metric, "Kafka")] > 0:
        print(f"Fjord/Kafka {metric}: {means[(metric, 'Fjord')] / means[(metric, 'Kafka')]:.2f}x")
PYTHON
if [[ "$keep" == "1" || -n "${BENCH_DIR:-}" ]]; then say "per-round figures in $results"; fi
