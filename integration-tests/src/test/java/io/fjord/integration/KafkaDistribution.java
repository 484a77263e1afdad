package io.fjord.integration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command line tool of Apache Kafka 4.4.0 (its main class, e.g. {@code org.apache.kafka.tools.TopicCommand})
 * in a child JVM on the jars of the kafka-dist module, so that Kafka's server-side jars never join this JVM's class
 * path. The directories come from the system properties {@code kafka.dist.libs} and {@code kafka.dist.config}, which
 * the build sets. Stateless, thread-safe.
 */
final class KafkaDistribution {
    private static final long TOOL_TIMEOUT_SECONDS = 120;

    /** What a tool printed and how it ended. */
    record Result(int exitCode, String output, String errors) {
    }

    private KafkaDistribution() {
    }

    /** Runs {@code mainClass} with {@code arguments}; fails if the tool does not end within two minutes. */
    static Result run(String mainClass, List<String> arguments) throws IOException, InterruptedException {
        Path libraries = directory("kafka.dist.libs");
        Path config = directory("kafka.dist.config");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-Dlog4j2.configurationFile=" + config.resolve("log4j2-tools.properties"));
        command.add("-cp");
        command.add(libraries.toAbsolutePath() + "/*");
        command.add(mainClass);
        command.addAll(arguments);
        Path output = Files.createTempFile("kafka-tool", ".out");
        Path errors = Files.createTempFile("kafka-tool", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(output.toFile())
                    .redirectError(errors.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .start();
            if (!process.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(mainClass + " " + String.join(" ", arguments) + " did not finish in "
                        + TOOL_TIMEOUT_SECONDS + " s; it printed: " + Files.readString(output, StandardCharsets.UTF_8)
                        + Files.readString(errors, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8),
                    Files.readString(errors, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
            Files.deleteIfExists(errors);
        }
    }

    /** Runs a tool against the node: {@code --bootstrap-server <node>} followed by {@code arguments}. */
    static Result runAgainst(FjordTestNode node, String mainClass, String... arguments)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", node.bootstrapServers()));
        command.addAll(List.of(arguments));
        return run(mainClass, command);
    }

    private static java.io.File nullDevice() {
        return new java.io.File("/dev/null");
    }

    private static Path directory(String property) {
        String value = System.getProperty(property);
        if (value == null || !Files.isDirectory(Path.of(value))) {
            throw new IllegalStateException("System property " + property + " must name the kafka-dist module's "
                    + "directory (the build sets it; build kafka-dist first), got " + value);
        }
        return Path.of(value);
    }
}
