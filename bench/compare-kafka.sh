#!/usr/bin/env bash
# Runs the same end-to-end load against Apache Kafka 4.4.0 (from the kafka-dist module's Maven Central jars) and
# against Fjord on this machine, alternating, and prints each run's figures and the Fjord/Kafka ratios.
#
# Workload (issue #3): one node, a 4-partition topic, 100-byte records, acks=all, linger.ms=5, batch.size 16384, no
# compression; the load tool (io.fjord.bench.load.LoadTool in bench/target/fjord-bench.jar) produces N records
# as fast as the producer takes them, then reads them back from the beginning (assigned partitions, no group).
# Both brokers run at the same time with the same JVM options (heap 512 MB, Kafka's shipped G1 settings); each round
# uses a fresh topic per broker, created and deleted with Kafka's own kafka-topics tool (TopicCommand). Odd rounds
# run Kafka first, even rounds Fjord first. A warm-up round (not counted) runs first on each broker. Besides
# throughput and latency, each run reports the CPU time the broker process used (from /proc/PID/stat): on a small
# machine the load generator competes with the broker for the same cores, so CPU per record tells efficiency apart
# from throughput.
#
# Usage: bench/compare-kafka.sh [--rounds N] [--records N] [--warmup-records N] [--record-size BYTES]
#                               [--partitions N] [--heap SIZE] [--kafka-port PORT] [--fjord-port PORT]
#                               [--producer load-tool|kafka-perf] [--consumer load-tool|kafka-perf]
#                               [--consume-repeats N] [--listeners "L ..."] [--transaction-duration-ms MS]
#                               [--progress] [--keep]
#   --rounds N          measured rounds (default 3)
#   --records N         records per run (default 5000000)
#   --warmup-records N  records of the uncounted warm-up run on each broker (default 1000000; 0 skips it)
#   --record-size B     value size in bytes (default 100)
#   --partitions N      partitions of the topic (default 4)
#   --heap SIZE         -Xms/-Xmx of both brokers (default 512m)
#   --producer P        load-tool (default): bench's load tool; kafka-perf: Kafka's own ProducerPerformance
#                       (kafka-tools 4.4.0) for the produce phase, with the same settings (extra producer settings:
#                       KAFKA_PERF_PROPS="key=value ...")
#   --consumer C        load-tool (default): the load tool reads the assigned partitions without a group;
#                       kafka-perf: Kafka's own ConsumerPerformance, reading through a new consumer group (its
#                       fetch rate, after the group is joined)
#   --consume-repeats N read the topic N times per run (default 1) and report the mean: a read is short and
#                       bound by the single consumer client, so one read is a noisy sample
#   --listeners "L ..." the listeners each round measures, in this order, every one on both brokers: PLAINTEXT
#                       (default), SSL (TLS 1.3, one self-signed EC P-256 certificate in a PKCS12 keystore both
#                       brokers serve; the clients trust it and check its host name), SASL_SSL (the same TLS with
#                       SCRAM-SHA-512 as the user bench, created with Kafka's kafka-configs at start). Both brokers
#                       serve all the listeners named all the time; e.g. --listeners "PLAINTEXT SSL" gives the SSL
#                       cost as a ratio to plaintext taken in the same run
#   --transaction-duration-ms MS
#                       produce in transactions with Kafka's ProducerPerformance (implies --producer kafka-perf):
#                       --transactional-id bench-<topic> and a commit every MS ms; the consume phase reads with
#                       isolation.level=read_committed
#   --progress          show the load tool's once-a-second progress lines (otherwise they go to the log)
#   --keep              keep the working directory (data, logs) instead of deleting it
#   extra producer settings: LOAD_PRODUCE_OPTS="--linger-ms 10 -X max.in.flight.requests.per.connection=5"
# Environment: BENCH_DIR (working directory; default a new temporary directory), REBUILD=1 (rebuild the jars).
set -euo pipefail

script_name=compare-kafka
# shellcheck source=bench/brokers.sh
source "$(dirname "${BASH_SOURCE[0]}")/brokers.sh"

rounds=3
records=5000000
warmup_records=1000000
record_size=100
partitions=4
heap=512m
kafka_port=19092
fjord_port=29092
progress=0
keep=0
producer=load-tool
consume_repeats=1
consumer=load-tool
listeners=PLAINTEXT
transaction_duration_ms=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --records) records="$2"; shift 2 ;;
    --warmup-records) warmup_records="$2"; shift 2 ;;
    --record-size) record_size="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --kafka-port) kafka_port="$2"; shift 2 ;;
    --fjord-port) fjord_port="$2"; shift 2 ;;
    --producer) producer="$2"; shift 2 ;;
    --consumer) consumer="$2"; shift 2 ;;
    --consume-repeats) consume_repeats="$2"; shift 2 ;;
    --listeners) listeners="$2"; shift 2 ;;
    --transaction-duration-ms) transaction_duration_ms="$2"; producer=kafka-perf; shift 2 ;;
    --progress) progress=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) say "unknown option $1 (see --help)"; exit 2 ;;
  esac
done
[[ "$producer" == load-tool || "$producer" == kafka-perf ]] || { say "--producer is load-tool or kafka-perf"; exit 2; }
[[ "$consumer" == load-tool || "$consumer" == kafka-perf ]] || { say "--consumer is load-tool or kafka-perf"; exit 2; }
for listener in $listeners; do
  [[ "$listener" =~ ^(PLAINTEXT|SSL|SASL_SSL)$ ]] || { say "--listeners takes PLAINTEXT, SSL, SASL_SSL"; exit 2; }
  [[ "$listener" == PLAINTEXT ]] || secure_listeners="$secure_listeners $listener"
done
build_if_needed
start_brokers

mean() { awk 'BEGIN {for (i = 1; i < ARGC; i++) sum += ARGV[i]; printf "%.1f", sum / (ARGC - 1)}' "$@"; }

load() { # mode broker topic records [options...]; prints the RESULT line
  local mode="$1" broker="$2" topic="$3" count="$4"; shift 4
  load_tool "$mode" "$broker" -t "$topic" -n "$count" -s "$record_size" "$@"
}

read_committed_option() { # the load tool's read_committed setting when transactions are measured
  [[ "$transaction_duration_ms" -eq 0 ]] || echo "-X isolation.level=read_committed"
}

results="$work/results.tsv"
printf 'round\tbroker\tlistener\tproduce_rps\tproduce_mbps\tp50_ms\tp99_ms\tp999_ms\tmax_ms\tproduce_broker_cpu_s\tconsume_rps\tconsume_mbps\tconsume_broker_cpu_s\n' >"$results"

# Kafka's own ProducerPerformance instead of the load tool (--producer kafka-perf); its summary line becomes a RESULT
# line: "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, P50 ms 50th, ... 99.9th."
# With --transaction-duration-ms it runs transactions (--transactional-id bench-<topic>); the settings of a secure
# listener come from its client properties file (--command-config).
kafka_producer_performance() { # broker topic records
  local output options=()
  echo "== ProducerPerformance $1 $client_listener $2 $3" >>"$log"
  [[ "$client_listener" == PLAINTEXT ]] || options+=(--command-config "$work/tls/$client_listener.properties")
  if [[ "$transaction_duration_ms" -gt 0 ]]; then
    options+=(--transactional-id "bench-$2" --transaction-duration-ms "$transaction_duration_ms")
  fi
  # shellcheck disable=SC2086 # KAFKA_PERF_PROPS is a list of settings on purpose
  output="$("$java_bin" -Xmx1g "-Dlog4j2.configurationFile=$kafka_config/log4j2-tools.properties" \
    -cp "$kafka_libs/*" org.apache.kafka.tools.ProducerPerformance --topic "$2" --num-records "$3" \
    --record-size "$record_size" --throughput -1 "${options[@]}" \
    --producer-props "bootstrap.servers=127.0.0.1:$(port_of "$1" "$client_listener")" \
    acks=all linger.ms=5 batch.size=16384 compression.type=none ${KAFKA_PERF_PROPS:-} 2>>"$log")"
  echo "$output" >>"$log"
  local summary
  summary="$(grep 'records sent' <<<"$output" | tail -1)"
  [[ -n "$summary" ]] || { say "ProducerPerformance on $1 failed; see $log"; exit 1; }
  sed -E 's/^([0-9]+) records sent, ([0-9.]+) records\/sec \(([0-9.]+) MB\/sec\), [0-9.]+ ms avg latency, ([0-9.]+) ms max latency, ([0-9]+) ms 50th, [0-9]+ ms 95th, ([0-9]+) ms 99th, ([0-9]+) ms 99.9th.*/RESULT mode=produce records=\1 records_per_sec=\2 mb_per_sec=\3 p50_ms=\5 p99_ms=\6 p999_ms=\7 max_ms=\4/' \
    <<<"$summary"
}

# Kafka's own ConsumerPerformance instead of the load tool (--consumer kafka-perf): it reads through a consumer group
# (a new group each time, from the earliest offset). Its CSV line "start, end, MB, MB/s, records, records/s,
# rebalance ms, fetch ms, fetch MB/s, fetch records/s" becomes a RESULT line with the fetch rates (the time after the
# group was joined, so the join is not counted as reading; it is logged).
kafka_consumer_performance() { # broker topic records
  local output line config="$work/consumer-$client_listener.properties"
  echo "== ConsumerPerformance $1 $client_listener $2 $3" >>"$log"
  if [[ "$client_listener" == PLAINTEXT ]]; then : >"$config"; else cp "$work/tls/$client_listener.properties" "$config"; fi
  [[ "$transaction_duration_ms" -eq 0 ]] || echo "isolation.level=read_committed" >>"$config"
  output="$("$java_bin" -Xmx1g "-Dlog4j2.configurationFile=$kafka_config/log4j2-tools.properties" \
    -cp "$kafka_libs/*" org.apache.kafka.tools.ConsumerPerformance --topic "$2" --num-records "$3" \
    --group "perf-$2-$RANDOM" --timeout 30000 --command-config "$config" \
    --bootstrap-server "127.0.0.1:$(port_of "$1" "$client_listener")" 2>>"$log")"
  echo "$output" >>"$log"
  line="$(grep -E '^[0-9]{4}-' <<<"$output" | tail -1)"
  [[ -n "$line" ]] || { say "ConsumerPerformance on $1 failed; see $log"; exit 1; }
  awk -F', *' '{printf "RESULT mode=consume records=%s records_per_sec=%s mb_per_sec=%s rebalance_ms=%s\n", $5, $10, $9, $7}' <<<"$line"
}

run() { # round broker records listener
  local round="$1" broker="$2" count="$3" topic="bench-r$1-$2-$4" client_listener="$4"
  local pid produced consumed cpu_start cpu_produce cpu_consume
  pid="$(pid_of "$broker")"
  topics "$broker" --create --topic "$topic" --partitions "$partitions" --replication-factor 1
  cpu_start="$(cpu_seconds "$pid")"
  if [[ "$producer" == "kafka-perf" ]]; then
    produced="$(kafka_producer_performance "$broker" "$topic" "$count")"
  else
    # shellcheck disable=SC2086 # LOAD_PRODUCE_OPTS is a list of options on purpose
    produced="$(load produce "$broker" "$topic" "$count" --acks all --linger-ms 5 --batch-size 16384 \
      --compression none ${LOAD_PRODUCE_OPTS:-})"
  fi
  cpu_produce="$(awk -v a="$cpu_start" -v b="$(cpu_seconds "$pid")" 'BEGIN {printf "%.2f", b - a}')"
  cpu_start="$(cpu_seconds "$pid")"
  # Reading is quick and client-bound, so one read is a noisy sample: read the topic --consume-repeats times and
  # keep the mean rate and the mean broker CPU per read.
  local repeat rates="" mbps=""
  for repeat in $(seq 1 "$consume_repeats"); do
    if [[ "$consumer" == "kafka-perf" ]]; then
      consumed="$(kafka_consumer_performance "$broker" "$topic" "$count")"
    else
      # shellcheck disable=SC2046 # read_committed_option is one option or none
      consumed="$(load consume "$broker" "$topic" "$count" $(read_committed_option))"
    fi
    rates="$rates $(field "$consumed" records_per_sec)"
    mbps="$mbps $(field "$consumed" mb_per_sec)"
  done
  cpu_consume="$(awk -v a="$cpu_start" -v b="$(cpu_seconds "$pid")" -v n="$consume_repeats" 'BEGIN {printf "%.2f", (b - a) / n}')"
  consumed="RESULT mode=consume records_per_sec=$(mean $rates) mb_per_sec=$(mean $mbps)"
  topics "$broker" --delete --topic "$topic"
  if [[ "$round" != "warm-up" ]]; then
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$broker" "$client_listener" \
      "$(field "$produced" records_per_sec)" "$(field "$produced" mb_per_sec)" "$(field "$produced" p50_ms)" \
      "$(field "$produced" p99_ms)" "$(field "$produced" p999_ms)" "$(field "$produced" max_ms)" "$cpu_produce" \
      "$(field "$consumed" records_per_sec)" "$(field "$consumed" mb_per_sec)" "$cpu_consume" >>"$results"
  fi
  printf '%-7s %-5s %-10s produce %8.0f rec/s %6.2f MB/s p50 %7.1f ms p99 %7.1f ms p99.9 %7.1f ms cpu %5.1f s | consume %8.0f rec/s %6.2f MB/s cpu %4.1f s\n' \
    "$round" "$broker" "$client_listener" "$(field "$produced" records_per_sec)" "$(field "$produced" mb_per_sec)" \
    "$(field "$produced" p50_ms)" "$(field "$produced" p99_ms)" "$(field "$produced" p999_ms)" "$cpu_produce" \
    "$(field "$consumed" records_per_sec)" "$(field "$consumed" mb_per_sec)" "$cpu_consume"
}

echo "compare-kafka: $rounds rounds of $records records of $record_size bytes, $partitions partitions, acks=all, linger.ms=5, heap $heap, listeners $listeners$( [[ "$transaction_duration_ms" -eq 0 ]] || echo ", transactions of $transaction_duration_ms ms")"
if [[ "$warmup_records" -gt 0 ]]; then
  for listener in $listeners; do
    run warm-up Kafka "$warmup_records" "$listener"
    run warm-up Fjord "$warmup_records" "$listener"
  done
fi
# Brokers alternate within every listener (odd rounds Kafka first), so a change of load hits both alike.
for round in $(seq 1 "$rounds"); do
  if (( round % 2 == 1 )); then order=(Kafka Fjord); else order=(Fjord Kafka); fi
  for listener in $listeners; do
    for broker in "${order[@]}"; do
      run "$round" "$broker" "$records" "$listener"
    done
  done
done

echo
memory "$kafka_pid" Kafka
memory "$fjord_pid" Fjord

echo
python3 - "$results" <<'PYTHON'
import csv
import statistics
import sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
listeners = list(dict.fromkeys(row["listener"] for row in rows))
def values(broker, column, listener):
    return [float(row[column]) for row in rows if row["broker"] == broker and row["listener"] == listener]
for listener in listeners:
    prefix = "" if listeners == ["PLAINTEXT"] else listener + " "
    for label, column in (("produce", "produce_rps"), ("consume", "consume_rps")):
        kafka, fjord = values("Kafka", column, listener), values("Fjord", column, listener)
        if not kafka or not fjord:
            continue
        cpu_column = label + "_broker_cpu_s"
        kafka_cpu, fjord_cpu = values("Kafka", cpu_column, listener), values("Fjord", cpu_column, listener)
        print(f"{prefix}{label}: Kafka mean {statistics.mean(kafka):,.0f} rec/s (median "
              f"{statistics.median(kafka):,.0f}, min-max {min(kafka):,.0f}-{max(kafka):,.0f}), Fjord mean "
              f"{statistics.mean(fjord):,.0f} rec/s (median {statistics.median(fjord):,.0f}, min-max "
              f"{min(fjord):,.0f}-{max(fjord):,.0f}); Fjord/Kafka = {statistics.mean(fjord) / statistics.mean(kafka):.2f}x"
              f" (of medians {statistics.median(fjord) / statistics.median(kafka):.2f}x)")
        print(f"{prefix}{label}: broker CPU per run: Kafka mean {statistics.mean(kafka_cpu):.2f} s, Fjord mean "
              f"{statistics.mean(fjord_cpu):.2f} s; Fjord/Kafka = "
              f"{statistics.mean(fjord_cpu) / statistics.mean(kafka_cpu):.2f}x"
              if statistics.mean(kafka_cpu) > 0 else f"{prefix}{label}: no broker CPU figures")
# The cost of a secure listener on each broker, as a ratio to its own PLAINTEXT runs in the same run.
if "PLAINTEXT" in listeners:
    for listener in (name for name in listeners if name != "PLAINTEXT"):
        for label, column in (("produce", "produce_rps"), ("consume", "consume_rps")):
            ratios = []
            for broker in ("Kafka", "Fjord"):
                plain, secure = values(broker, column, "PLAINTEXT"), values(broker, column, listener)
                if plain and secure:
                    ratios.append(f"{broker} {statistics.mean(secure) / statistics.mean(plain):.2f}x")
            print(f"{listener}/PLAINTEXT {label}: " + ", ".join(ratios))
PYTHON
if [[ "$keep" == "1" || -n "${BENCH_DIR:-}" ]]; then
  say "per-run figures in $results"
fi
