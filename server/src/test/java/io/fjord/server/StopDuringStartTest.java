package io.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while a node starts (a cluster stopped before one of its nodes was ready): the stop ends the start-up's
 * waits at once, instead of waiting for the start's own bound (60 s for the metadata to catch up) while the
 * stopping thread waits for the starting one.
 */
class StopDuringStartTest {
    /** A liveness bound for a busy machine, well below the 60 s a start-up wait may take. */
    private static final Duration PROMPT = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    @Test
    @Timeout(120)
    void aStopRequestedWhileTheMetadataCannotCatchUpEndsTheStartPromptly() throws Exception {
        int absentControllerPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            absentControllerPort = socket.getLocalPort(); // closed again: no controller will ever answer there
        }
        Map<String, String> settings = Map.of(
                "node.id", "2",
                "process.roles", "broker",
                "listeners", "PLAINTEXT://127.0.0.1:0",
                "controller.listener.names", "CONTROLLER",
                "controller.quorum.voters", "1@127.0.0.1:" + absentControllerPort,
                "log.dirs", directory.resolve("data").toString());
        Path configFile = directory.resolve("server.properties");
        StringBuilder properties = new StringBuilder();
        settings.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));
        Files.writeString(configFile, properties);
        CommandRun format = CommandRun.of("format", "--cluster-id", "S1ko1WYJQiGxQO_oasZ_qg", "--config",
                configFile.toString());
        assertThat(format.exitCode()).as(format.err()).isZero();
        FjordNode node = new FjordNode(NodeConfigFixture.config(settings), InstantSource.system());
        CompletableFuture<Throwable> startEnded = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                node.start();
                startEnded.complete(null);
            } catch (Throwable e) {
                startEnded.complete(e);
            }
        }, "starter");
        starter.start();
        // The start waits for a metadata leader that does not exist.
        await().atMost(Duration.ofSeconds(60)).until(() -> startEnded.isDone() || Arrays.stream(
                starter.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("awaitCaughtUp")));
        assertThat(startEnded).as("the start still waits").isNotDone();

        long stopStartNanos = System.nanoTime();
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(node::stop);
        stopped.get(PROMPT.toSeconds(), TimeUnit.SECONDS);
        Throwable startFailure = startEnded.get(PROMPT.toSeconds(), TimeUnit.SECONDS);
        assertThat(startFailure).isInstanceOf(StartupWaits.StopRequestedException.class)
                .hasMessageContaining("the metadata to catch up");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStartNanos)).isLessThan(PROMPT.toMillis());
        starter.join(PROMPT.toMillis());
        assertThat(starter.isAlive()).isFalse();
    }
}
