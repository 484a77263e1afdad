package io.fjord.broker.coordinator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.coordinator.driver.LogPartitionWriter;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.FindCoordinatorResponseData;
import io.fjord.protocol.records.CompressionType;
import io.fjord.storage.LogManager;
import io.fjord.storage.LogManagerConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime with a coordinator of its own (a key-value shard whose records are "key=value" strings, on a topic of
 * its own), as a second coordinator such as the transaction coordinator plugs in: writes answered once committed,
 * reads answered at once from the committed view, a load whose uncommitted tail reads see only once it commits, and
 * the bound on uncommitted records.
 */
class CoordinatorRuntimeTest {
    private static final String TOPIC = "__key_value_state";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @TempDir
    Path directory;

    private LogManager logManager;
    private LogPartitionWriter writer;
    private CoordinatorRuntime<KeyValueShard, String> runtime;

    /** Replies carry the value in the error message of a response the test has at hand. */
    private record Answer(long requestId, ApiMessage response) implements ShardReply {
    }

    private record Result(List<String> records, List<Answer> replies) implements ShardResult<String> {
        static final Result EMPTY = new Result(List.of(), List.of());
    }

    /** A shard whose state is a map, changed only by replaying "key=value" records. Not thread-safe. */
    private static final class KeyValueShard implements CoordinatorShard<String> {
        private final Map<String, String> state = new HashMap<>();
        private boolean active;

        @Override
        public void replay(String record) {
            String[] keyValue = record.split("=", 2);
            state.put(keyValue[0], keyValue[1]);
        }

        Result put(long requestId, String key, String value) {
            String record = key + "=" + value;
            replay(record);
            return new Result(List.of(record), List.of(new Answer(requestId, answer("ok"))));
        }

        Result get(long requestId, String key) {
            return new Result(List.of(), List.of(new Answer(requestId, answer(state.getOrDefault(key, "none")))));
        }

        @Override
        public ShardResult<String> activate(long nowMs) {
            active = true;
            return Result.EMPTY;
        }

        @Override
        public ShardResult<String> deactivate(long nowMs) {
            active = false;
            return Result.EMPTY;
        }

        @Override
        public ShardResult<String> pollTimers(long nowMs) {
            return Result.EMPTY;
        }

        @Override
        public long nextTimerDeadlineMs() {
            return Long.MAX_VALUE;
        }

        @Override
        public boolean isActive() {
            return active;
        }
    }

    private static final CoordinatorSerde<String> SERDE = new CoordinatorSerde<>() {
        @Override
        public ByteBuffer key(String record) {
            return ByteBuffer.wrap(record.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public ByteBuffer value(String record) {
            return ByteBuffer.allocate(0);
        }

        @Override
        public String deserialize(ByteBuffer key, ByteBuffer value) {
            return StandardCharsets.UTF_8.decode(key).toString();
        }
    };

    private static FindCoordinatorResponseData answer(String text) {
        return new FindCoordinatorResponseData().setErrorMessage(text);
    }

    @BeforeEach
    void setUp() {
        logManager = new LogManager(LogManagerConfig.fromProperties(Map.of(LogManagerConfig.LOG_DIRS,
                directory.toString())), InstantSource.system());
        logManager.startup();
        logManager.getOrCreateLog(PARTITION, logManager.config().defaultLogConfig());
        writer = new LogPartitionWriter(logManager::getLog);
        start(CoordinatorRuntimeConfig.UNCOMMITTED_RECORDS_MAX_DEFAULT);
    }

    private void start(long uncommittedRecordsMax) {
        runtime = new CoordinatorRuntime<>(new CoordinatorRuntimeConfig("Key-value coordinator",
                "test-key-value-coordinator", TOPIC, CompressionType.NONE, 1024, 60_000, uncommittedRecordsMax),
                SERDE, new LogCoordinatorLoader<>(SERDE), (partition, leaderEpoch) -> new KeyValueShard(), (shard, nowMs) ->
                Result.EMPTY, logManager::getLog, writer, InstantSource.system());
        runtime.start();
        runtime.onElected(0, 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> "ACTIVE".equals(runtime.partitionStatuses().get(0)));
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        logManager.shutdown();
    }

    private PartitionLog log() {
        return logManager.getLog(PARTITION).orElseThrow();
    }

    private CompletableFuture<ApiMessage> put(String key, String value) {
        return runtime.write(0, (shard, requestId, nowMs) -> shard.put(requestId, key, value),
                error -> answer(error.name()));
    }

    private String get(String key) throws Exception {
        ApiMessage response = runtime.read(0, (shard, requestId, nowMs) -> shard.get(requestId, key),
                error -> answer(error.name())).get(10, TimeUnit.SECONDS);
        return ((FindCoordinatorResponseData) response).errorMessage();
    }

    private static String text(CompletableFuture<ApiMessage> response) throws Exception {
        return ((FindCoordinatorResponseData) response.get(10, TimeUnit.SECONDS)).errorMessage();
    }

    private void replicate() {
        writer.replicateAll(PARTITION);
        runtime.onPartitionChanged(PARTITION);
    }

    @Test
    void writesAreAnsweredOnceCommittedAndReadsAnswerTheCommittedStateAtOnce() throws Exception {
        assertThat(text(put("colour", "blue"))).isEqualTo("ok");
        writer.holdHighWatermark();
        CompletableFuture<ApiMessage> pending = put("colour", "green");
        assertThat(get("colour")).isEqualTo("blue");
        assertThat(pending).isNotDone();

        replicate();
        assertThat(text(pending)).isEqualTo("ok");
        assertThat(get("colour")).isEqualTo("green");
    }

    @Test
    void aNewLeaderLoadsTheUncommittedTailButReadsSeeItOnlyOnceItCommits() throws Exception {
        assertThat(text(put("colour", "blue"))).isEqualTo("ok");
        writer.holdHighWatermark();
        CompletableFuture<ApiMessage> pending = put("colour", "green");
        await().atMost(Duration.ofSeconds(10)).until(() -> log().logEndOffset() == 2);
        runtime.onResigned(0);
        assertThat(text(pending)).isEqualTo(Errors.NOT_COORDINATOR.name());

        runtime.onElected(0, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> "ACTIVE".equals(runtime.partitionStatuses().get(0)));
        assertThat(get("colour")).isEqualTo("blue");
        replicate();
        assertThat(get("colour")).isEqualTo("green");
    }

    @Test
    void writesBeyondTheBoundOnUncommittedRecordsAreRefusedUntilTheyCommit() throws Exception {
        runtime.close();
        start(2);
        writer.holdHighWatermark();
        CompletableFuture<ApiMessage> first = put("a", "1");
        CompletableFuture<ApiMessage> second = put("b", "2");
        assertThat(text(put("c", "3"))).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.name());
        assertThat(log().logEndOffset()).isEqualTo(2);

        replicate();
        assertThat(text(first)).isEqualTo("ok");
        assertThat(text(second)).isEqualTo("ok");
        CompletableFuture<ApiMessage> third = put("c", "3"); // accepted now, and waits for its commit
        await().atMost(Duration.ofSeconds(10)).until(() -> log().logEndOffset() == 3);
        replicate();
        assertThat(text(third)).isEqualTo("ok");
        assertThat(get("c")).isEqualTo("3");
    }
}
