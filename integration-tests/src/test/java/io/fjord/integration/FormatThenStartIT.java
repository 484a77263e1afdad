package io.fjord.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command line in child processes, as an operator runs it: {@code fjord random-uuid}, {@code fjord format}
 * with that id, then {@code fjord start} on the same directories serves that cluster id to a Kafka client; a second
 * format is refused.
 */
class FormatThenStartIT {
    private static final Pattern READY = Pattern.compile("is ready; listening on \\[PLAINTEXT://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path directory;

    private ProcessBuilder fjord(Path output, String... arguments) throws IOException {
        // INFO to standard output so the ready line (with the ephemeral port) shows; the test class path is at WARN.
        Path logback = directory.resolve("logback.xml");
        if (!Files.exists(logback)) {
            Files.writeString(logback, "<configuration><appender name=\"OUT\" "
                    + "class=\"ch.qos.logback.core.ConsoleAppender\"><encoder><pattern>%level %logger - %msg%n"
                    + "</pattern></encoder></appender><root level=\"INFO\"><appender-ref ref=\"OUT\"/></root>"
                    + "</configuration>");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-Dlogback.configurationFile=" + logback, "-cp",
                System.getProperty("java.class.path"), "io.fjord.server.FjordCli"));
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    }

    private String run(int expectedExitCode, String... arguments) throws Exception {
        Path output = Files.createTempFile(directory, "command", ".out");
        Process process = fjord(output, arguments).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("fjord %s finished", List.of(arguments)).isTrue();
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(printed).isEqualTo(expectedExitCode);
        return printed;
    }

    @Test
    void aNodeFormattedByFormatStartsWithTheFormattedClusterId() throws Exception {
        String clusterId = run(0, "random-uuid").strip();
        assertThat(clusterId).hasSize(22);
        Path data = directory.resolve("data");
        Path metadata = directory.resolve("metadata");
        Path config = Files.writeString(directory.resolve("server.properties"), "node.id=2\n"
                + "listeners=PLAINTEXT://127.0.0.1:0\nlog.dirs=" + data + "\nmetadata.log.dir=" + metadata + "\n");

        String formatted = run(0, "format", "--cluster-id", clusterId, "--config", config.toString());
        assertThat(formatted).contains("Formatting data directory " + data + " for cluster " + clusterId,
                "Formatting metadata directory " + metadata + " for cluster " + clusterId);
        String metaProperties = Files.readString(metadata.resolve("meta.properties"));

        Path output = directory.resolve("node.out");
        Process node = fjord(output, "start", "--config", config.toString()).start();
        try {
            Matcher ready = READY.matcher("");
            await().atMost(Duration.ofSeconds(90)).until(() -> !node.isAlive()
                    || ready.reset(Files.readString(output, StandardCharsets.UTF_8)).find());
            assertThat(node.isAlive()).as(Files.readString(output)).isTrue();
            String bootstrap = "127.0.0.1:" + ready.group(1);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS)).isEqualTo(clusterId);
                assertThat(admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id()).isEqualTo(2);
            }
            assertThat(Files.readString(output)).doesNotContain("Formatted ");
        } finally {
            node.destroy(); // SIGTERM: a clean stop
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(metadata.resolve("meta.properties")).as("start left format's file as it was")
                .hasContent(metaProperties);

        String refused = run(1, "format", "--cluster-id", clusterId, "--config", config.toString());
        assertThat(refused.strip()).isEqualTo("fjord: format: Log directory " + data + " is already formatted. "
                + "Use --ignore-formatted to ignore this directory and format the others.");
    }
}
