#!/usr/bin/env bash
# Runs the storage JMH benchmarks (log append vs raw file write, log read vs raw file read) with short settings
# sized for a 2-core machine, keeps JMH's JSON result and prints MB/s (1 MB = 2^20 bytes, as Kafka's perf tools).
#
# Usage: bench/run-storage-bench.sh [extra JMH options...]
#   e.g. bench/run-storage-bench.sh -i 5 -r 10s          (longer measurement)
#        bench/run-storage-bench.sh -p batchSizeBytes=16384
# Environment:
#   BENCH_DIR     directory for the logs and files written (default: java.io.tmpdir); needs free space for what one
#                 append iteration writes (up to a few GiB) and for the 256 MiB read log
#   RESULT_FILE   JMH JSON output (default: bench/target/storage-bench.json)
#   REBUILD=1     rebuild the jar even if it exists
#   JMH_SETTINGS  replaces the default "-f 1 -wi 2 -w 3s -i 3 -r 5s"
set -euo pipefail

bench_module="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project_root="$(dirname "$bench_module")"
jar="$bench_module/target/fjord-bench.jar"
result_file="${RESULT_FILE:-$bench_module/target/storage-bench.json}"
jmh_settings="${JMH_SETTINGS:--f 1 -wi 2 -w 3s -i 3 -r 5s}"

if [[ ! -f "$jar" || "${REBUILD:-0}" == "1" ]]; then
  echo "Building $jar" >&2
  (cd "$project_root" && mvn -q -pl bench -am package -DskipTests)
fi

java_options=()
if [[ -n "${BENCH_DIR:-}" ]]; then
  mkdir -p "$BENCH_DIR"
  java_options+=("-Dbench.dir=$BENCH_DIR")
fi
mkdir -p "$(dirname "$result_file")"

# shellcheck disable=SC2086 # jmh_settings is a list of options on purpose
java "${java_options[@]}" -jar "$jar" 'io\.fjord\.bench\.storage\..*' $jmh_settings \
  -rf json -rff "$result_file" "$@"

python3 - "$result_file" <<'PYTHON'
import json
import sys

MEBIBYTE = 1024 * 1024
READ_SIZE_BYTES = MEBIBYTE  # LogReadBenchmark.READ_SIZE_BYTES

with open(sys.argv[1]) as source:
    results = json.load(source)

# (benchmark method, batch size) -> (MB/s, relative error of the score)
throughput = {}
for result in results:
    name = result["benchmark"].rsplit(".", 2)
    key = name[-2] + "." + name[-1]
    batch_size_bytes = int(result["params"]["batchSizeBytes"])
    score = result["primaryMetric"]["score"]
    error = result["primaryMetric"].get("scoreError")
    bytes_per_operation = READ_SIZE_BYTES if key.startswith("LogReadBenchmark.") else batch_size_bytes
    relative_error = error / score if isinstance(error, (int, float)) and score > 0 else float("nan")
    throughput[(key, batch_size_bytes)] = (score * bytes_per_operation / MEBIBYTE, relative_error, score)


def cell(key, size):
    value = throughput.get((key, size))
    return "%10.1f" % value[0] if value else "%10s" % "-"


def ratio(numerator, denominator, size):
    top, bottom = throughput.get((numerator, size)), throughput.get((denominator, size))
    return "%9.2f" % (top[0] / bottom[0]) if top and bottom and bottom[0] > 0 else "%9s" % "-"


sizes = sorted({size for (_, size) in throughput})
print()
print("Storage throughput, MB/s (1 MB = 2^20 bytes); result file: " + sys.argv[1])
print("%-7s %10s %10s %9s %10s %10s %9s %10s %10s" % (
    "batch", "append", "raw write", "app/raw", "read", "raw read", "read/raw", "readAll", "raw read"))
print("%-7s %10s %10s %9s %10s %10s %9s %10s %10s" % (
    "", "", "", "", "transfer", "transfer", "", "heap copy", "heap"))
for size in sizes:
    label = "%d KB" % (size // 1024) if size % 1024 == 0 else "%d B" % size
    print("%-7s %s %s %s %s %s %s %s %s" % (
        label,
        cell("LogAppendBenchmark.append", size), cell("RawFileWriteBenchmark.write", size),
        ratio("LogAppendBenchmark.append", "RawFileWriteBenchmark.write", size),
        cell("LogReadBenchmark.logTransferTo", size), cell("LogReadBenchmark.rawTransferTo", size),
        ratio("LogReadBenchmark.logTransferTo", "LogReadBenchmark.rawTransferTo", size),
        cell("LogReadBenchmark.logReadAll", size), cell("LogReadBenchmark.rawRead", size)))
print()
for size in sizes:
    append = throughput.get(("LogAppendBenchmark.append", size))
    if append:
        error = "n/a" if append[1] != append[1] else "+-%.0f%%" % (100 * append[1])
        print("%d-byte batches: append %.0f batches/s (score error %s)" % (size, append[2], error))
target = ("LogAppendBenchmark.append", 16384), ("RawFileWriteBenchmark.write", 16384)
if all(key in throughput for key in target):
    share = throughput[target[0]][0] / throughput[target[1]][0]
    verdict = "meets" if share >= 0.8 else "misses"
    print("Target: 16 KB appends at >= 80%% of raw sequential write bandwidth: %.0f%%, %s it" % (100 * share, verdict))
PYTHON
