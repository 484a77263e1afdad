#!/usr/bin/env bash
# Measures Apache Kafka 4.4.0's own authorizer (org.apache.kafka.metadata.authorizer.StandardAuthorizer) with the
# same 10,000 ACLs and the same cases as Fjord's io.fjord.bench.security.FjordAuthorizerBenchmark, then (unless
# --kafka-only) runs Fjord's benchmark right after with the same JMH settings, printing the load average before each,
# so the two are measured on the same machine in the same session (issue #14).
#
# Why this lives outside the Maven build: the project's enforcer bans Kafka's server-side artifacts (kafka-metadata,
# which holds StandardAuthorizer) from every module Maven builds, the bench module included, so that no Kafka server
# code can reach a Fjord class path. This script therefore compiles bench/kafka-authorizer/ (one JMH class) together
# with the bench module's BenchmarkAcls.java (the ACL set both benchmarks share) with javac, against the jars that the
# bench/kafka-dist module copies from Maven Central (bench/kafka-dist/target/kafka-libs) and JMH 1.37 from ~/.m2,
# into bench/kafka-authorizer/target, and runs it in its own JVM. Nothing it builds is on any Fjord class path.
#
# Needs: `mvn -B -ntp -o -f bench/kafka-dist/pom.xml package` (Kafka's jars) and, for Fjord's side,
#        `mvn -B -ntp -o -pl bench -am package -DskipTests` (bench/target/fjord-bench.jar).
#
# Usage: bench/kafka-authorizer-bench.sh [--kafka-only] [JMH options]
#   JMH options default to those of the figures in docs/performance.md: -f 1 -wi 5 -w 2s -i 3 -r 3s
#        bench/kafka-authorizer-bench.sh --cpu-time [ROUNDS [WARMUP MEASURED CPU_MS]]
#   CPU time per operation instead of JMH's wall-clock score (CpuTimeLoop: the measuring thread's CPU time, for a
#   shared and loaded machine where a wall-clock score mostly measures waiting for a core): ROUNDS (default 2) of
#   Kafka then Fjord, alternating which goes first, each case with WARMUP (5) and MEASURED (5) iterations of CPU_MS
#   (500) milliseconds of CPU time; the Fjord runner is compiled here too, against bench/target/fjord-bench.jar.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
kafka_libs="$root/bench/kafka-dist/target/kafka-libs"
source_dir="$root/bench/kafka-authorizer"
classes="$source_dir/target/classes"
m2="${MAVEN_REPOSITORY:-$HOME/.m2/repository}"
jmh_version=1.37
fjord_jar="$root/bench/target/fjord-bench.jar"

kafka_only=false
cpu_time=false
if [[ "${1:-}" == "--kafka-only" ]]; then
    kafka_only=true
    shift
elif [[ "${1:-}" == "--cpu-time" ]]; then
    cpu_time=true
    shift
    rounds="${1:-2}"
    cpu_arguments=("${2:-5}" "${3:-5}" "${4:-500}")
    set --
fi
jmh_options=("$@")
if [[ ${#jmh_options[@]} -eq 0 ]]; then
    jmh_options=(-f 1 -wi 5 -w 2s -i 3 -r 3s)
fi

if [[ ! -f "$kafka_libs/kafka-metadata-4.4.0.jar" ]]; then
    echo "Kafka 4.4.0's jars are missing: run mvn -B -ntp -o -f bench/kafka-dist/pom.xml package" >&2
    exit 1
fi
jmh_jars="$m2/org/openjdk/jmh/jmh-core/$jmh_version/jmh-core-$jmh_version.jar"
jmh_jars+=":$m2/net/sf/jopt-simple/jopt-simple/5.0.4/jopt-simple-5.0.4.jar"
jmh_jars+=":$m2/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar"
annotation_processor="$m2/org/openjdk/jmh/jmh-generator-annprocess/$jmh_version/jmh-generator-annprocess-$jmh_version.jar"
for jar in ${jmh_jars//:/ } "$annotation_processor"; do
    if [[ ! -f "$jar" ]]; then
        echo "missing $jar (JMH comes to ~/.m2 with the bench module's build)" >&2
        exit 1
    fi
done

# Kafka's jars only (never Fjord's): the harness sees Kafka's kafka-clients, not Fjord's pinned one.
class_path="$kafka_libs/*:$jmh_jars"
rm -rf "$classes"
mkdir -p "$classes"
javac -nowarn -d "$classes" -cp "$class_path" -processorpath "$annotation_processor:$jmh_jars" \
    "$source_dir/io/fjord/bench/security/KafkaAuthorizerBenchmark.java" \
    "$source_dir/io/fjord/bench/security/KafkaAuthorizerCpuTime.java" \
    "$source_dir/io/fjord/bench/security/CpuTimeLoop.java" \
    "$root/bench/src/main/java/io/fjord/bench/security/BenchmarkAcls.java"

load() {
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores), $(date -u +%H:%M:%S) UTC"
}

if [[ "$cpu_time" == "true" ]]; then
    if [[ ! -f "$fjord_jar" ]]; then
        echo "Fjord's side needs $fjord_jar: mvn -B -ntp -o -pl bench -am package -DskipTests" >&2
        exit 1
    fi
    fjord_classes="$source_dir/target/fjord-classes"
    rm -rf "$fjord_classes"
    mkdir -p "$fjord_classes"
    javac -nowarn -proc:none -d "$fjord_classes" -cp "$fjord_jar" \
        "$source_dir/io/fjord/bench/security/FjordAuthorizerCpuTime.java" \
        "$source_dir/io/fjord/bench/security/CpuTimeLoop.java"
    run_kafka() {
        java -Dorg.apache.logging.log4j.level=WARN -cp "$classes:$class_path" \
            io.fjord.bench.security.KafkaAuthorizerCpuTime "${cpu_arguments[@]}"
    }
    run_fjord() {
        java -cp "$fjord_classes:$fjord_jar" io.fjord.bench.security.FjordAuthorizerCpuTime "${cpu_arguments[@]}"
    }
    for ((round = 1; round <= rounds; round++)); do
        echo "== round $round =="
        load
        if ((round % 2 == 1)); then run_kafka; load; run_fjord; else run_fjord; load; run_kafka; fi
        load
    done
    exit 0
fi

echo "== Apache Kafka 4.4.0 StandardAuthorizer =="
load
# log4j 2 at WARN: the authorizer's audit logger (kafka.authorizer.logger) stays below its level, as Fjord writes none.
java -Dorg.apache.logging.log4j.level=WARN -cp "$classes:$class_path" org.openjdk.jmh.Main \
    'io\.fjord\.bench\.security\.KafkaAuthorizerBenchmark\..*' "${jmh_options[@]}"
load

if [[ "$kafka_only" == "false" ]]; then
    if [[ ! -f "$fjord_jar" ]]; then
        echo "Fjord's side needs $fjord_jar: mvn -B -ntp -o -pl bench -am package -DskipTests" >&2
        exit 1
    fi
    echo "== Fjord StandardAuthorizer =="
    load
    java -jar "$fjord_jar" 'io\.fjord\.bench\.security\.FjordAuthorizerBenchmark\..*' "${jmh_options[@]}"
    load
fi
