package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartCommandTest {
    @TempDir
    Path directory;

    private String startFailure(String properties) throws Exception {
        Path file = directory.resolve("server.properties");
        Files.writeString(file, properties + "\nlog.dirs=" + directory.resolve("data") + "\n");
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(FjordCli.run("start", "--config", file.toString())).isEqualTo(1);
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anInvalidValueStopsStartUpWithOneLineNamingTheKey() throws Exception {
        String error = startFailure("num.partitions=abc");
        assertThat(error.lines()).hasSize(1);
        assertThat(error).startsWith("fjord: ").contains("num.partitions").contains("abc");
        assertThat(startFailure("listeners=nonsense")).contains("listeners");
        assertThat(startFailure("log.retention.ms=soon")).contains("log.retention.ms");
    }

    @Test
    void groupSettingsThatDoNotFitTogetherStopStartUpAsKafkasChecksDo() throws Exception {
        String error = startFailure("group.consumer.heartbeat.interval.ms=50000");
        assertThat(error.lines()).hasSize(1);
        assertThat(error).startsWith("fjord: ").contains("group.consumer.heartbeat.interval.ms")
                .contains("group.consumer.max.heartbeat.interval.ms");
        assertThat(startFailure("group.consumer.assignors=sticky")).contains("group.consumer.assignors");
        assertThat(startFailure("group.coordinator.rebalance.protocols=consumer"))
                .contains("group.coordinator.rebalance.protocols").contains("classic");
    }
}
