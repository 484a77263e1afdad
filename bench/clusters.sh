# Sourced by bench/cluster-bench.sh and bench/replication-bench.sh after bench/brokers.sh (not run on its own): the
# launch, readiness wait and stop of a 3-node Fjord cluster (`fjord cluster --nodes 3`, launched as ./fjord launches it)
# and of a 3-node Apache Kafka 4.4.0 KRaft cluster (every node broker and controller), with the same JVM options.
#
# The sourcing script sets script_name, heap, fjord_port, kafka_port, keep, bench_heap (the bench tools' -Xmx) and
# record_width (of the metric column), then calls cluster_setup. It gets:
# work, log, results, node_jvm, running_pids (every process to stop at exit), node_pid (node id -> pid of the current
# system's nodes), launcher (the Fjord launcher's pid) and the functions below.

declare -A node_pid
running_pids=()
launcher=""
# The build's class-data-sharing archive, mapped as the fjord script maps it (see server/pom.xml).
class_archive_file="$fjord_server_dir/fjord-server.jsa"

# Creates the working directory and the results file, stops everything at exit, and checks the ports are free.
cluster_setup() {
  work="${BENCH_DIR:-$(mktemp -d -t "fjord-$script_name.XXXXXX")}"
  mkdir -p "$work"
  log="$work/$script_name.log"
  : >"$log"
  results="$work/results.tsv"
  printf 'round\tsystem\tmetric\tvalue\n' >"$results"
  say "working directory $work (log: $log)"
  node_jvm=(-Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true)
  trap cluster_cleanup EXIT
  trap 'exit 130' INT TERM
  local port
  for port in $(seq "$fjord_port" $((fjord_port + 5))) $(seq "$kafka_port" $((kafka_port + 5))); do
    port_free "$port" || { say "port $port is in use (see --fjord-port/--kafka-port)"; exit 1; }
  done
}

stop_all() {
  local pid
  for pid in "${running_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${running_pids[@]}"; do
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { say "process $pid did not stop in 60 s; killing it"; kill -KILL "$pid" || true; }
  done
  running_pids=()
  node_pid=()
}

cluster_cleanup() {
  stop_all
  rm -f "$work/page-cache-ballast"
  if [[ "$keep" == "0" && -z "${BENCH_DIR:-}" ]]; then rm -rf "$work"; fi
}

# Fills the machine's free memory with clean page cache: a sparse file of MemFree less 1 GiB, read once (reading a
# hole costs no disk I/O). Prints the seconds it took and the GiB filled. Why: a virtual machine whose hypervisor takes
# free guest memory back (free page reporting; this one reports at ~400 MB/s while memory is free) charges the first
# write to each such page to the writer, ~10 us per 4 KiB page here, which is ~0.7 us per replicated 100-byte record
# and ~7 us per 1 KB one, and how much of it a round pays depends on how long memory lay free before it. A broker
# in steady state has its memory full of page cache and recycles pages inside the guest; with memory full, both
# systems' writes take pages the kernel reclaims from this file, as they would there.
fill_page_cache() {
  local ballast="$work/page-cache-ballast" free_kib bytes started ended
  rm -f "$ballast" # its pages, freed now, are the first to be filled again
  free_kib="$(awk '/^MemFree:/ {print $2}' /proc/meminfo)"
  bytes=$(( (free_kib - 1048576) * 1024 ))
  started="$(date +%s%N)"
  if (( bytes > 0 )); then
    truncate -s "$bytes" "$ballast"
    cat "$ballast" >/dev/null
  else
    bytes=0
  fi
  ended="$(date +%s%N)"
  awk -v n=$((ended - started)) -v b="$bytes" 'BEGIN { printf "%.1f %.1f\n", n / 1e9, b / 1073741824 }'
}

bench_class() { # heap class label args...: runs a bench tool; prints its RESULT line, the rest goes to the log
  local heap="$1" class="$2" label="$3" output
  shift 3
  echo "== $(date -u +%T.%3N) $label $*" >>"$log" # the time, to line a tool up with the nodes' JFR recordings
  output="$("$java_bin" "$heap" -cp "$bench_jar" "io.fjord.bench.$class" "$@" 2>>"$log")" || true
  echo "$output" >>"$log"
  grep '^RESULT ' <<<"$output" || { say "$label $1 failed; see $log"; return 1; }
}

run_rounds() { # uses rounds, only, log: each system's <system>_round per round, alternating which goes first
  local round system order
  for round in $(seq 1 "$rounds"); do
    if (( round % 2 == 1 )); then order=(kafka fjord); else order=(fjord kafka); fi
    for system in "${order[@]}"; do
      [[ -z "$only" || "$only" == "$system" ]] || continue
      "${system}_round" "$round" || { say "$system round $round failed; see $log"; stop_all; }
    done
  done
}

record() { # round system metric value
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results"
  printf "%-6s %-6s %-${record_width:-28}s %s\n" "$1" "$2" "$3" "$4"
}

node_list() { # base port: the 3 client listeners
  echo "localhost:$1,localhost:$(($1 + 2)),localhost:$(($1 + 4))"
}

controllers() { # base port: --controller arguments
  echo "--controller 1@localhost:$(($1 + 1)) --controller 2@localhost:$(($1 + 3)) --controller 3@localhost:$(($1 + 5))"
}

# Launches `fjord cluster --nodes 3` in DIRECTORY (extra arguments go to the command) and waits until every node is
# ready (ClusterBench ready); records ready_s, sets launcher and node_pid. EXTRA_JAVA_OPTS reach every node.
launch_fjord_cluster() { # round directory extra-java-opts [cluster arguments...]
  local round="$1" directory="$2" extra="$3" result pid node archive=()
  shift 3
  if [[ -f "$class_archive_file" ]]; then
    archive=("-XX:SharedArchiveFile=$class_archive_file" -Xlog:cds=off -Xlog:cds+dynamic=off
      "-Dfjord.class.archive=$class_archive_file")
  fi
  result="$(FJORD_HEAP_OPTS="${node_jvm[*]:0:2}" FJORD_JAVA_OPTS="${node_jvm[*]:2}${extra:+ $extra}" \
    bench_class "$bench_heap" cluster.ClusterBench ClusterBench ready --nodes "$(node_list "$fjord_port")" \
    --launch-log "$work/fjord-$round.out" -- "$java_bin" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    "${archive[@]}" -jar "$server_jar" cluster \
    --nodes 3 --directory "$directory" --base-port "$fjord_port" "$@")" || return 1
  launcher="$(field "$result" launched_pid)"
  running_pids+=("$launcher")
  record "$round" Fjord ready_s "$(field "$result" ready_s)"
  for pid in $(pgrep -P "$launcher"); do
    for node in 1 2 3; do
      if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "node-$node/server.properties"; then node_pid[$node]="$pid"; fi
    done
  done
  [[ ${#node_pid[@]} -eq 3 ]] || { say "cannot find Fjord's 3 node processes under $launcher"; return 1; }
}

# Writes the server.properties of 3 Kafka nodes (broker and controller each) in DIRECTORY, ending with PROPERTIES.
write_kafka_cluster() { # directory properties
  local directory="$1" properties="$2" node voters=""
  for node in 1 2 3; do voters="$voters${voters:+,}$node@localhost:$((kafka_port + 2 * (node - 1) + 1))"; done
  for node in 1 2 3; do
    mkdir -p "$directory/node-$node/data"
    cat >"$directory/node-$node/server.properties" <<PROPERTIES
process.roles=broker,controller
node.id=$node
controller.quorum.voters=$voters
listeners=PLAINTEXT://localhost:$((kafka_port + 2 * (node - 1))),CONTROLLER://localhost:$((kafka_port + 2 * (node - 1) + 1))
advertised.listeners=PLAINTEXT://localhost:$((kafka_port + 2 * (node - 1)))
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$directory/node-$node/data
$properties
PROPERTIES
  done
}

kafka_cluster_id() { # a new cluster id (kafka-storage random-uuid)
  "$java_bin" "${tools_jvm[@]}" -cp "$kafka_libs/*" kafka.tools.StorageTool random-uuid
}

format_kafka_cluster() { # directory cluster-id: kafka-storage format of the 3 nodes, in parallel
  local directory="$1" cluster_id="$2" node
  for node in 1 2 3; do
    "$java_bin" "${tools_jvm[@]}" -cp "$kafka_libs/*" kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$directory/node-$node/server.properties" >>"$log" 2>&1 &
  done
  wait
}

# Launches the 3 formatted Kafka nodes of DIRECTORY together and waits until every node is ready (ClusterBench
# ready); records ready_s, sets node_pid. EXTRA_JVM_OPTS go to every node.
launch_kafka_cluster() { # round directory extra-jvm-opts
  local round="$1" directory="$2" extra="$3" result node
  # The launcher starts the 3 nodes in the background, writes their pids and exits.
  cat >"$directory/start.sh" <<LAUNCHER
#!/usr/bin/env bash
for node in 1 2 3; do
  "$java_bin" ${node_jvm[*]} $extra "-Dlog4j2.configurationFile=$kafka_config/log4j2-server.properties" \\
    "-Dkafka.logs.dir=$directory/node-\$node/logs" -cp "$kafka_libs/*" kafka.Kafka \\
    "$directory/node-\$node/server.properties" >"$directory/node-\$node/server.out" 2>&1 &
  echo \$! >"$directory/node-\$node/pid"
done
LAUNCHER
  result="$(bench_class "$bench_heap" cluster.ClusterBench ClusterBench ready --nodes "$(node_list "$kafka_port")" \
    --launch-log "$work/kafka-$round.out" -- bash "$directory/start.sh")" \
    || { for node in 1 2 3; do running_pids+=("$(cat "$directory/node-$node/pid")"); done; return 1; }
  for node in 1 2 3; do
    node_pid[$node]="$(cat "$directory/node-$node/pid")"
    running_pids+=("${node_pid[$node]}")
  done
  record "$round" Kafka ready_s "$(field "$result" ready_s)"
}
