package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fjord cluster} through the real command line in a child process, as an operator runs it: it prints the
 * bootstrap servers once its nodes (grandchild processes) are ready, clients use them, SIGTERM stops every node and
 * exits 0, and a second run reuses the data.
 */
class ClusterCommandIT {
    private static final Pattern READY = Pattern.compile("Fjord cluster ready: bootstrap servers (\\S+) ");
    private static final Duration READY_BOUND = Duration.ofSeconds(180);
    private static final int NODE_LOG_LINES = 60;

    @TempDir
    Path directory;

    /** The cluster command's output, and the command. */
    private record Run(Process process, Path output, Path clusterDirectory) {
        String printed() throws IOException {
            return Files.readString(output, StandardCharsets.UTF_8);
        }

        /** What the command printed, then the last lines of each node's log: the story of a failed stop. */
        String printedWithNodeLogs() throws IOException {
            StringBuilder story = new StringBuilder(printed());
            if (clusterDirectory != null && Files.isDirectory(clusterDirectory)) {
                try (var nodes = Files.list(clusterDirectory)) {
                    for (Path node : nodes.sorted().toList()) {
                        Path log = node.resolve("server.log");
                        if (Files.isRegularFile(log)) {
                            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                            story.append(System.lineSeparator()).append("--- last lines of ").append(log)
                                    .append(System.lineSeparator()).append(String.join(System.lineSeparator(),
                                            lines.subList(Math.max(0, lines.size() - NODE_LOG_LINES),
                                                    lines.size())));
                        }
                    }
                }
            }
            return story.toString();
        }
    }

    private Run start(String... arguments) throws IOException {
        Path logback = directory.resolve("logback.xml");
        if (!Files.exists(logback)) {
            // INFO, so that each node's server.log shows it started and stopped cleanly.
            Files.writeString(logback, "<configuration><appender name=\"OUT\" "
                    + "class=\"ch.qos.logback.core.ConsoleAppender\"><encoder><pattern>%level %logger - %msg%n"
                    + "</pattern></encoder></appender><root level=\"INFO\"><appender-ref ref=\"OUT\"/></root>"
                    + "</configuration>");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx128m", "-Dlogback.configurationFile=" + logback, "-cp",
                System.getProperty("java.class.path"), "io.fjord.server.FjordCli", "cluster"));
        command.addAll(List.of(arguments));
        Path output = Files.createTempFile(directory, "cluster", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("FJORD_HEAP_OPTS", "-Xmx256m");
        builder.environment().remove("FJORD_JAVA_OPTS");
        int directoryArgument = List.of(arguments).indexOf("--directory");
        return new Run(builder.start(), output,
                directoryArgument < 0 ? null : Path.of(arguments[directoryArgument + 1]));
    }

    /** Waits for the ready line; returns the bootstrap servers it names. */
    private static String awaitReady(Run run) throws IOException {
        Matcher ready = READY.matcher("");
        await().atMost(READY_BOUND).pollInterval(Duration.ofMillis(200))
                .until(() -> !run.process().isAlive() || ready.reset(run.printed()).find());
        assertThat(run.process().isAlive()).as(run.printed()).isTrue();
        return ready.group(1);
    }

    /** SIGTERM, as Ctrl-C or a service manager sends it: every node stops, and the command exits 0. */
    private static void stop(Run run) throws Exception {
        List<ProcessHandle> nodes = run.process().descendants().toList();
        assertThat(nodes).isNotEmpty();
        run.process().destroy();
        assertThat(run.process().waitFor(120, TimeUnit.SECONDS)).as("the cluster command exited").isTrue();
        assertThat(run.process().exitValue()).as(run.printedWithNodeLogs()).isZero();
        assertThat(run.printed()).contains("Fjord cluster stopped");
        assertThat(nodes).as("no node outlives the command").noneMatch(ProcessHandle::isAlive);
    }

    /** 2N consecutive free ports, below Linux's ephemeral range so that client connections do not take them. */
    private static int freeBasePort(int nodes) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20_000 + 2 * ThreadLocalRandom.current().nextInt(6_000);
            List<ServerSocket> bound = new ArrayList<>();
            try {
                for (int port = base; port < base + 2 * nodes; port++) {
                    bound.add(new ServerSocket(port));
                }
                return base;
            } catch (IOException inUse) {
                // try another base
            } finally {
                for (ServerSocket socket : bound) {
                    try {
                        socket.close();
                    } catch (IOException e) {
                        // closing a listening socket we just opened
                    }
                }
            }
        }
        throw new IllegalStateException("no " + 2 * nodes + " consecutive free ports found");
    }

    private static Properties clientProperties(String bootstrap) {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return properties;
    }

    private static void produce(String bootstrap, String topic, List<String> values) throws Exception {
        Properties properties = clientProperties(bootstrap);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties, new StringSerializer(),
                new StringSerializer())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, value)).get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> consume(String bootstrap, String topic, int count) {
        Properties properties = clientProperties(bootstrap);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return values.size() >= count;
            });
        }
        return values;
    }

    @Test
    void oneNodeClusterServesClientsStopsOnSigtermWithExitZeroAndReusesItsDataOnTheNextRun() throws Exception {
        int basePort = freeBasePort(1);
        Path cluster = directory.resolve("cluster");
        String[] arguments = {"--nodes", "1", "--directory", cluster.toString(), "--base-port",
                Integer.toString(basePort)};

        Run first = start(arguments);
        String clusterId;
        try {
            String bootstrap = awaitReady(first);
            assertThat(bootstrap).isEqualTo("localhost:" + basePort);
            assertThat(first.printed()).contains("Formatting metadata directory " + cluster.resolve("node-1/data"));
            try (Admin admin = Admin.create(clientProperties(bootstrap))) {
                clusterId = admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS);
                assertThat(admin.describeCluster().nodes().get(60, TimeUnit.SECONDS)).extracting(Node::port)
                        .containsExactly(basePort);
                admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            }
            produce(bootstrap, "kept", List.of("one", "two", "three"));
            assertThat(consume(bootstrap, "kept", 3)).containsExactly("one", "two", "three");
        } finally {
            stop(first);
        }
        assertThat(cluster.resolve("cluster.id")).hasContent(clusterId);
        assertThat(cluster.resolve("node-1/server.properties")).content()
                .contains("controller.quorum.voters=1@localhost:" + (basePort + 1), "offsets.topic.replication.factor=");
        assertThat(cluster.resolve("node-1/server.log")).content()
                .contains("Fjord node 1 of cluster " + clusterId + " is ready", "Fjord node 1 stopped cleanly");

        Run second = start(arguments);
        try {
            String bootstrap = awaitReady(second);
            assertThat(second.printed()).doesNotContain("Formatting");
            try (Admin admin = Admin.create(clientProperties(bootstrap))) {
                assertThat(admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS)).isEqualTo(clusterId);
                assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS)).contains("kept");
            }
            assertThat(consume(bootstrap, "kept", 3)).containsExactly("one", "two", "three");
        } finally {
            stop(second);
        }
    }

    @Test
    void aNodeThatCannotStartIsReportedWithItsLastLinesAndTheCommandExitsOne() throws Exception {
        int basePort = freeBasePort(1);
        try (ServerSocket taken = new ServerSocket(basePort)) {
            Run run = start("--nodes", "1", "--directory", directory.resolve("cluster").toString(), "--base-port",
                    Integer.toString(basePort));
            assertThat(run.process().waitFor(180, TimeUnit.SECONDS)).as("the cluster command exited").isTrue();
            assertThat(run.process().exitValue()).as(run.printed()).isEqualTo(1);
            assertThat(run.printed()).contains("fjord: cluster: node 1 exited with code 1 during start-up",
                    "fjord: cannot start", String.valueOf(taken.getLocalPort())).doesNotContain("Fjord cluster ready");
        }
    }

    @Test
    void threeNodeClusterListsEveryBrokerThroughEachAndServesClients() throws Exception {
        int basePort = freeBasePort(3);
        Run run = start("--nodes", "3", "--directory", directory.resolve("cluster").toString(), "--base-port",
                Integer.toString(basePort));
        try {
            String bootstrap = awaitReady(run);
            assertThat(bootstrap).isEqualTo("localhost:" + basePort + ",localhost:" + (basePort + 2) + ",localhost:"
                    + (basePort + 4));
            for (String server : bootstrap.split(",")) {
                try (Admin admin = Admin.create(clientProperties(server))) {
                    assertThat(admin.describeCluster().nodes().get(60, TimeUnit.SECONDS)).extracting(Node::id)
                            .containsExactlyInAnyOrder(1, 2, 3);
                }
            }
            String topic = "spread-" + UUID.randomUUID();
            try (Admin admin = Admin.create(clientProperties(bootstrap))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            }
            produce(bootstrap, topic, List.of("a", "b"));
            assertThat(consume(bootstrap, topic, 2)).containsExactly("a", "b");
            assertThat(Set.of(1, 2, 3)).allSatisfy(node -> assertThat(directory.resolve("cluster/node-" + node
                    + "/server.log")).content().contains("Fjord node " + node + " of cluster"));
        } finally {
            stop(run);
        }
    }

    /** The node processes (grandchildren) of a cluster command, by node id. */
    private static Map<Integer, ProcessHandle> nodeProcesses(Run run, int nodes) {
        Map<Integer, ProcessHandle> found = new java.util.HashMap<>();
        run.process().descendants().forEach(process -> {
            String commandLine = process.info().commandLine().orElse("");
            for (int node = 1; node <= nodes; node++) {
                if (commandLine.contains("node-" + node + "/server.properties")) {
                    found.put(node, process);
                }
            }
        });
        assertThat(found).as("node processes").hasSize(nodes);
        return found;
    }

    /**
     * The last node of a cluster whose other two were killed cannot get its controlled shutdown approved (no quorum):
     * it gives up after its attempts and stops cleanly, well within the 30 s a controller request may wait, and its
     * logs need no recovery at the next start.
     */
    @Test
    void aNodeWhoseQuorumIsGoneStopsPromptlyOnSigtermAndRestartsFromCleanLogs() throws Exception {
        int basePort = freeBasePort(3);
        Path cluster = directory.resolve("cluster");
        String[] arguments = {"--nodes", "3", "--directory", cluster.toString(), "--base-port",
                Integer.toString(basePort)};
        String topic = "kept";
        Run first = start(arguments);
        try {
            String bootstrap = awaitReady(first);
            try (Admin admin = Admin.create(clientProperties(bootstrap))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3))).all().get(60, TimeUnit.SECONDS);
            }
            produce(bootstrap, topic, List.of("one", "two", "three"));
            Map<Integer, ProcessHandle> nodes = nodeProcesses(first, 3);
            nodes.get(1).destroyForcibly();
            nodes.get(2).destroyForcibly();
            await().atMost(Duration.ofSeconds(60)).until(() -> !nodes.get(1).isAlive() && !nodes.get(2).isAlive());

            long sigtermNanos = System.nanoTime();
            assertThat(nodes.get(3).destroy()).isTrue();
            // A liveness bound for a busy machine, below the 30 s of a controller request that never gets an answer.
            nodes.get(3).onExit().get(25, TimeUnit.SECONDS);
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigtermNanos);
            assertThat(cluster.resolve("node-3/server.log")).as("node 3 stopped %d ms after SIGTERM", stopMillis)
                    .content().contains("controlled-shutdown attempts in a row", "Fjord node 3 stopped cleanly");
            // The command reports that every node has gone and exits by itself.
            assertThat(first.process().waitFor(60, TimeUnit.SECONDS)).as(first.printed()).isTrue();
        } finally {
            first.process().destroy();
            first.process().waitFor(120, TimeUnit.SECONDS);
        }

        Run second = start(arguments);
        try {
            String bootstrap = awaitReady(second);
            // Ready means every node finished starting, although nodes 1 and 2's killed incarnations were still
            // registered (and so listed by Metadata) while the new ones waited for those leases to expire.
            for (int node = 1; node <= 3; node++) {
                assertThat(Pattern.compile("Fjord node " + node + " of cluster \\S+ is ready").matcher(
                        Files.readString(cluster.resolve("node-" + node + "/server.log"))).results().count())
                        .as("node %d's ready lines when the cluster was ready", node).isEqualTo(2);
            }
            assertThat(cluster.resolve("node-3/server.log")).content().containsPattern(
                    "Loading \\d+ logs from \\S+node-3/data after a clean shutdown");
            assertThat(consume(bootstrap, topic, 3)).containsExactly("one", "two", "three");
        } finally {
            stop(second);
        }
    }
}
