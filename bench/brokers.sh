# Sourced by bench/compare-kafka.sh and bench/compare-groups.sh (not run on its own): starts Apache Kafka 4.4.0
# (KRaft, broker and controller in one process, from the kafka-dist module's Maven Central jars) and Fjord side by
# side on this machine with the same JVM options, and stops both on exit.
#
# The sourcing script sets before calling start_brokers: script_name (message prefix), heap, kafka_port, fjord_port,
# keep (1 keeps the working directory), and optionally broker_properties (lines added to both brokers'
# server.properties) and secure_listeners (SSL and/or SASL_SSL: listeners both brokers serve besides PLAINTEXT, with
# the same PKCS12 keystore, made here with keytool, and for SASL_SSL SCRAM-SHA-512 with the user bench). It gets:
# work, log, java_bin, tools_jvm, kafka_libs, kafka_config, bench_jar, kafka_pid, fjord_pid and the functions below
# (load_tool shows progress lines when progress=1 and connects to the listener client_listener, PLAINTEXT by
# default).

bench_module="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$bench_module")"
# FJORD_SERVER_DIR: another build's server/target (its fjord-server.jar, lib/ and fjord-server.jsa), to compare builds.
fjord_server_dir="${FJORD_SERVER_DIR:-$root/server/target}"
server_jar="$fjord_server_dir/fjord-server.jar"
bench_jar="$bench_module/target/fjord-bench.jar"
kafka_libs="$root/bench/kafka-dist/target/kafka-libs"
kafka_config="$root/bench/kafka-dist/src/main/config"
broker_properties="${broker_properties:-}"

say() { echo "$script_name: $*" >&2; }

build_if_needed() {
  if [[ ! -f "$server_jar" || ! -f "$bench_jar" || ! -d "$kafka_libs" || "${REBUILD:-0}" == "1" ]]; then
    say "building the Fjord server, the load tool and the Kafka jars"
    (cd "$root" && mvn -q -B -ntp -pl server,bench,bench/kafka-dist -am package -DskipTests)
  fi
}

java_bin="java"
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  java_bin="$JAVA_HOME/bin/java"
fi
tools_jvm=(-Xmx256m "-Dlog4j2.configurationFile=$kafka_config/log4j2-tools.properties")

secure_listeners="${secure_listeners:-}"
client_listener=PLAINTEXT
kafka_pid=""
fjord_pid=""
tls_password=bench-secret
scram_user=bench
scram_password=bench-secret

stop_broker() { # pid name
  local pid="$1" name="$2"
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { say "$name stopped"; return 0; }
    sleep 0.5
  done
  say "$name did not stop in 30 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  stop_broker "$kafka_pid" "Kafka"
  stop_broker "$fjord_pid" "Fjord"
  if [[ "$keep" == "0" && -z "${BENCH_DIR:-}" ]]; then
    rm -rf "$work"
  fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() { # port pid name
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { say "$3 exited while starting; see $work/$3.out"; exit 1; }
    sleep 0.5
  done
  say "$3 did not listen on port $1 within 60 s"
  exit 1
}

# Creates the working directory, starts both brokers and waits until both listen; stops them on exit.
start_brokers() {
  work="${BENCH_DIR:-$(mktemp -d -t fjord-compare.XXXXXX)}"
  mkdir -p "$work"
  log="$work/compare.log"
  : >"$log"
  say "working directory $work (log: $log)"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  local kafka_controller_port=$((kafka_port + 1))
  # Kafka's shipped KAFKA_JVM_PERFORMANCE_OPTS with the heap of the target; Fjord gets exactly the same.
  local broker_jvm=(-Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true)
  local listener secure_ports=() kafka_listeners="" fjord_listeners="" protocol_map="" security_properties=""
  for listener in $secure_listeners; do
    secure_ports+=("$(port_of Kafka "$listener")" "$(port_of Fjord "$listener")")
    kafka_listeners="$kafka_listeners,$listener://127.0.0.1:$(port_of Kafka "$listener")"
    fjord_listeners="$fjord_listeners,$listener://127.0.0.1:$(port_of Fjord "$listener")"
    protocol_map="$protocol_map,$listener:$listener"
  done
  for port in "$kafka_port" "$kafka_controller_port" "$fjord_port" "${secure_ports[@]}"; do
    port_free "$port" || { say "port $port is in use (see --kafka-port/--fjord-port)"; exit 1; }
  done
  [[ -z "$secure_listeners" ]] || security_properties="$(secure_listener_setup)"

  # Apache Kafka: KRaft, broker and controller in one process, formatted with a random cluster id.
  mkdir -p "$work/kafka/data" "$work/kafka/logs"
  cat >"$work/kafka/server.properties" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$kafka_controller_port
listeners=PLAINTEXT://127.0.0.1:$kafka_port,CONTROLLER://127.0.0.1:$kafka_controller_port$kafka_listeners
advertised.listeners=PLAINTEXT://127.0.0.1:$kafka_port$kafka_listeners
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT$protocol_map
$security_properties
log.dirs=$work/kafka/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
$broker_properties
PROPERTIES
  local cluster_id
  cluster_id="$("$java_bin" "${tools_jvm[@]}" -cp "$kafka_libs/*" kafka.tools.StorageTool random-uuid)"
  "$java_bin" "${tools_jvm[@]}" -cp "$kafka_libs/*" kafka.tools.StorageTool format -t "$cluster_id" \
    -c "$work/kafka/server.properties" >>"$log" 2>&1
  "$java_bin" "${broker_jvm[@]}" "-Dlog4j2.configurationFile=$kafka_config/log4j2-server.properties" \
    "-Dkafka.logs.dir=$work/kafka/logs" -cp "$kafka_libs/*" kafka.Kafka "$work/kafka/server.properties" \
    >"$work/Kafka.out" 2>&1 &
  kafka_pid=$!

  # Fjord: the same single node (its defaults are broker and controller in one process).
  mkdir -p "$work/fjord/data"
  cat >"$work/fjord/server.properties" <<PROPERTIES
node.id=1
listeners=PLAINTEXT://127.0.0.1:$fjord_port$fjord_listeners
log.dirs=$work/fjord/data
$security_properties
$broker_properties
PROPERTIES
  "$java_bin" "${broker_jvm[@]}" -jar "$server_jar" start --config "$work/fjord/server.properties" \
    >"$work/Fjord.out" 2>&1 &
  fjord_pid=$!

  wait_for_port "$kafka_port" "$kafka_pid" Kafka
  wait_for_port "$fjord_port" "$fjord_pid" Fjord
  for listener in $secure_listeners; do
    wait_for_port "$(port_of Kafka "$listener")" "$kafka_pid" Kafka
    wait_for_port "$(port_of Fjord "$listener")" "$fjord_pid" Fjord
  done
  say "Kafka (pid $kafka_pid, port $kafka_port) and Fjord (pid $fjord_pid, port $fjord_port) are up"
  if [[ " $secure_listeners " == *" SASL_SSL "* ]]; then
    add_scram_user Kafka
    add_scram_user Fjord
  fi
}

# The listeners' ports: PLAINTEXT the given port, Kafka's controller the next, SSL the port + 2, SASL_SSL + 3.
port_of() { # broker [listener]
  local base
  [[ "$1" == Kafka ]] && base="$kafka_port" || base="$fjord_port"
  case "${2:-PLAINTEXT}" in
    PLAINTEXT) echo "$base" ;;
    SSL) echo $((base + 2)) ;;
    SASL_SSL) echo $((base + 3)) ;;
    *) say "unknown listener $2"; exit 2 ;;
  esac
}

# Makes one self-signed EC P-256 certificate (naming 127.0.0.1, so the clients' host name check passes) in a PKCS12
# keystore both brokers serve, and the clients' truststore; prints the brokers' security settings (the same lines for
# both) and writes the clients' settings per listener to $work/tls/<listener>.properties.
secure_listener_setup() {
  local tls="$work/tls"
  mkdir -p "$tls"
  keytool -genkeypair -alias broker -keyalg EC -groupname secp256r1 -dname CN=localhost \
    -ext SAN=ip:127.0.0.1,dns:localhost -validity 30 -storetype PKCS12 -keystore "$tls/broker.p12" \
    -storepass "$tls_password" -keypass "$tls_password" >>"$log" 2>&1
  keytool -exportcert -alias broker -keystore "$tls/broker.p12" -storepass "$tls_password" -rfc \
    -file "$tls/broker.pem" >>"$log" 2>&1
  keytool -importcert -noprompt -alias broker -file "$tls/broker.pem" -storetype PKCS12 \
    -keystore "$tls/truststore.p12" -storepass "$tls_password" >>"$log" 2>&1
  local scram_login="org.apache.kafka.common.security.scram.ScramLoginModule required"
  printf 'security.protocol=SSL\nssl.truststore.type=PKCS12\nssl.truststore.location=%s\nssl.truststore.password=%s\n' \
    "$tls/truststore.p12" "$tls_password" >"$tls/SSL.properties"
  sed 's/^security.protocol=SSL$/security.protocol=SASL_SSL/' "$tls/SSL.properties" >"$tls/SASL_SSL.properties"
  printf 'sasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=%s username="%s" password="%s";\n' "$scram_login" \
    "$scram_user" "$scram_password" >>"$tls/SASL_SSL.properties"
  cat <<PROPERTIES
ssl.keystore.type=PKCS12
ssl.keystore.location=$tls/broker.p12
ssl.keystore.password=$tls_password
ssl.key.password=$tls_password
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$scram_login;
PROPERTIES
}

# Creates the SCRAM-SHA-512 user the SASL_SSL clients log in as, with Kafka's kafka-configs over PLAINTEXT, and waits
# (at most 10 tries) until the user can list the topics over SASL_SSL, that is until the credential is in the
# broker's metadata image.
add_scram_user() { # broker
  "$java_bin" "${tools_jvm[@]}" -cp "$kafka_libs/*" org.apache.kafka.tools.ConfigCommand \
    --bootstrap-server "127.0.0.1:$(port_of "$1")" --alter --add-config "SCRAM-SHA-512=[password=$scram_password]" \
    --entity-type users --entity-name "$scram_user" >>"$log" 2>&1
  for _ in $(seq 1 10); do
    if "$java_bin" "${tools_jvm[@]}" -cp "$kafka_libs/*" org.apache.kafka.tools.TopicCommand --list \
        --bootstrap-server "127.0.0.1:$(port_of "$1" SASL_SSL)" --command-config "$work/tls/SASL_SSL.properties" \
        >>"$log" 2>&1; then
      return 0
    fi
    sleep 1
  done
  say "$1 did not let the SCRAM user $scram_user in; see $log"
  exit 1
}

# The client settings of a listener as load tool options (-X key=value ...), one a line; nothing for PLAINTEXT.
client_options() { # listener
  [[ "$1" == PLAINTEXT ]] && return 0
  local line
  while IFS= read -r line; do printf -- '-X\n%s\n' "$line"; done <"$work/tls/$1.properties"
}

pid_of() { [[ "$1" == Kafka ]] && echo "$kafka_pid" || echo "$fjord_pid"; }

topics() { # broker args...: Kafka's own kafka-topics tool
  local broker="$1"; shift
  "$java_bin" "${tools_jvm[@]}" -cp "$kafka_libs/*" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "127.0.0.1:$(port_of "$broker")" "$@" >>"$log" 2>&1
}

load_tool() { # mode broker [options...]: runs the load tool against the broker; prints its RESULT line
  local mode="$1" broker="$2"; shift 2
  local output security=()
  mapfile -t security < <(client_options "$client_listener")
  echo "== $mode $broker $client_listener $*" >>"$log"
  if [[ "${progress:-0}" == "1" ]]; then
    output="$("$java_bin" -Xmx1g -cp "$bench_jar" io.fjord.bench.load.LoadTool "$mode" \
      -b "127.0.0.1:$(port_of "$broker" "$client_listener")" "${security[@]}" "$@" 2> >(tee -a "$log" >&2))"
  else
    output="$("$java_bin" -Xmx1g -cp "$bench_jar" io.fjord.bench.load.LoadTool "$mode" \
      -b "127.0.0.1:$(port_of "$broker" "$client_listener")" "${security[@]}" "$@" 2>>"$log")"
  fi
  echo "$output" >>"$log"
  grep '^RESULT ' <<<"$output" || { say "$mode on $broker failed; see $log"; exit 1; }
}

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

clock_ticks="$(getconf CLK_TCK)"
cpu_seconds() { awk -v ticks="$clock_ticks" '{printf "%.2f", ($14 + $15) / ticks}' "/proc/$1/stat"; }

memory() { # pid name
  local peak_rss_kb heap_used gc_seconds
  peak_rss_kb="$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null || echo 0)"
  heap_used="$(jstat -gc "$1" 2>/dev/null | awk 'NR==2 {printf "%.0f", ($3+$4+$6+$8)/1024}')"
  gc_seconds="$(jstat -gc "$1" 2>/dev/null | awk 'NR==2 {print $NF}')"
  printf '%-6s peak RSS %5d MB, heap -Xmx%s (in use now %s MB), GC time %s s\n' "$2" $((peak_rss_kb / 1024)) \
    "$heap" "${heap_used:-?}" "${gc_seconds:-?}"
}
