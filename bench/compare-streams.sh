#!/usr/bin/env bash
# Kafka Streams word count (issue #13) against Apache Kafka 4.4.0 and Fjord on this machine, alternating, with the
# ratios: lines per second through the topology with processing.guarantee=exactly_once_v2 (or --guarantee).
#
# Per round and broker, io.fjord.bench.streams.WordCountCommand (bench/target/fjord-bench.jar, kafka-streams 4.4.0)
# creates an input and an output topic of --partitions partitions, fills the input with --lines lines of 10 words
# (a vocabulary of 10,000 words, the same text on both brokers; the fill is not timed into the result), then runs the
# word count (split, re-key through a repartition topic, count in a RocksDB store with its changelog, counts out)
# with one stream thread until every word has reached the count, closes it, reads the output with read_committed
# and checks that the final counts add up to the words written (exact=true). Throughput is lines from the first line
# in to the last word counted; the start-up (the group, the internal topics) and the close are reported apart. The broker
# CPU time of each run (fill included) comes from /proc/PID/stat. Odd rounds run Kafka first, even rounds Fjord
# first; an uncounted warm-up run per broker comes first. Both brokers run at the same time with the same JVM options.
#
# Usage: bench/compare-streams.sh [--rounds N] [--lines N] [--warmup-lines N] [--partitions N]
#                                 [--guarantee exactly_once_v2|at_least_once] [--heap SIZE]
#                                 [--kafka-port PORT] [--fjord-port PORT] [--progress] [--keep]
# Environment: BENCH_DIR (working directory; default a new temporary directory), REBUILD=1 (rebuild the jars).
set -euo pipefail

script_name=compare-streams
# shellcheck source=bench/brokers.sh
source "$(dirname "${BASH_SOURCE[0]}")/brokers.sh"

rounds=3
lines=500000
warmup_lines=100000
partitions=4
guarantee=exactly_once_v2
heap=512m
kafka_port=19092
fjord_port=29092
progress=0
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --lines) lines="$2"; shift 2 ;;
    --warmup-lines) warmup_lines="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --guarantee) guarantee="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --kafka-port) kafka_port="$2"; shift 2 ;;
    --fjord-port) fjord_port="$2"; shift 2 ;;
    --progress) progress=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) say "unknown option $1 (see --help)"; exit 2 ;;
  esac
done
build_if_needed
start_brokers

results="$work/results.tsv"
printf 'round\tbroker\tlines_per_sec\twords_per_sec\tstartup_ms\tclose_ms\texact\tbroker_cpu_s\n' >"$results"

run() { # round broker lines
  local round="$1" broker="$2" count="$3" output result pid cpu_start cpu
  pid="$(pid_of "$broker")"
  cpu_start="$(cpu_seconds "$pid")"
  echo "== word count $round $broker $count" >>"$log"
  if [[ "$progress" == "1" ]]; then
    output="$("$java_bin" -Xmx1g -cp "$bench_jar" io.fjord.bench.streams.WordCountCommand \
      -b "127.0.0.1:$(port_of "$broker")" -t "words-r$round-$broker" -n "$count" -p "$partitions" \
      --guarantee "$guarantee" 2> >(tee -a "$log" >&2))" || true
  else
    output="$("$java_bin" -Xmx1g -cp "$bench_jar" io.fjord.bench.streams.WordCountCommand \
      -b "127.0.0.1:$(port_of "$broker")" -t "words-r$round-$broker" -n "$count" -p "$partitions" \
      --guarantee "$guarantee" 2>>"$log")" || true
  fi
  echo "$output" >>"$log"
  result="$(grep '^RESULT ' <<<"$output")" || { say "word count on $broker failed; see $log"; exit 1; }
  cpu="$(awk -v a="$cpu_start" -v b="$(cpu_seconds "$pid")" 'BEGIN {printf "%.2f", b - a}')"
  if [[ "$round" != "warm-up" ]]; then
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$broker" "$(field "$result" records_per_sec)" \
      "$(field "$result" words_per_sec)" "$(field "$result" startup_ms)" "$(field "$result" close_ms)" \
      "$(field "$result" exact)" "$cpu" >>"$results"
  fi
  printf '%-7s %-5s %9.0f lines/s %10.0f words/s start-up %6s ms close %6s ms exact %-5s broker cpu %5.1f s\n' \
    "$round" "$broker" "$(field "$result" records_per_sec)" "$(field "$result" words_per_sec)" \
    "$(field "$result" startup_ms)" "$(field "$result" close_ms)" "$(field "$result" exact)" "$cpu"
}

echo "compare-streams: $rounds rounds of $lines lines of 10 words, $partitions partitions, $guarantee, heap $heap"
if [[ "$warmup_lines" -gt 0 ]]; then
  run warm-up Kafka "$warmup_lines"
  run warm-up Fjord "$warmup_lines"
fi
for round in $(seq 1 "$rounds"); do
  if (( round % 2 == 1 )); then order=(Kafka Fjord); else order=(Fjord Kafka); fi
  for broker in "${order[@]}"; do
    run "$round" "$broker" "$lines"
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
def values(broker, column):
    return [float(row[column]) for row in rows if row["broker"] == broker]
for column, unit in (("lines_per_sec", "lines/s"), ("startup_ms", "ms start-up"), ("broker_cpu_s", "s broker CPU")):
    kafka, fjord = values("Kafka", column), values("Fjord", column)
    print(f"{column}: Kafka mean {statistics.mean(kafka):,.1f} {unit} (min-max {min(kafka):,.1f}-{max(kafka):,.1f}), "
          f"Fjord mean {statistics.mean(fjord):,.1f} {unit} (min-max {min(fjord):,.1f}-{max(fjord):,.1f}); "
          f"Fjord/Kafka = {statistics.mean(fjord) / statistics.mean(kafka):.2f}x")
print("exact counts in every run: " + ("yes" if all(row["exact"] == "true" for row in rows) else "NO"))
PYTHON
if [[ "$keep" == "1" || -n "${BENCH_DIR:-}" ]]; then
  say "per-run figures in $results"
fi
