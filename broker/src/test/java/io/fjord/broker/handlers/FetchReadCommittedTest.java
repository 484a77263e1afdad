package io.fjord.broker.handlers;

import static io.fjord.broker.handlers.HandlerFixture.baseOffsets;
import static io.fjord.broker.handlers.HandlerFixture.release;
import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.delayed.DelayedOperationPurgatory;
import io.fjord.broker.delayed.ManualClock;
import io.fjord.broker.fetch.FetchManager;
import io.fjord.broker.fetch.FetchSessionCache;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.ListOffsetsRequestData;
import io.fjord.protocol.message.ListOffsetsResponseData;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.protocol.records.TimestampType;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TransactionMarker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read committed through the real Fetch and ListOffsets handlers over a log holding transactional batches and
 * markers appended directly (the transaction coordinator that would send them comes later): reads stop at the last
 * stable offset, and the aborted transactions overlapping the records returned come with them.
 */
class FetchReadCommittedTest {
    private static final short FETCH_VERSION = 18;
    private static final byte READ_UNCOMMITTED = 0;
    private static final byte READ_COMMITTED = 1;
    private static final long ABORTING = 41;
    private static final long COMMITTING = 42;

    @TempDir
    Path directory;
    private HandlerFixture fixture;
    private FetchHandler handler;
    private UUID topicId;
    private PartitionLog log;
    private final int[] sequences = new int[2];

    @BeforeEach
    void start() {
        fixture = new HandlerFixture(directory);
        topicId = fixture.topic("payments", 1);
        log = fixture.log("payments", 0);
        ManualClock clock = new ManualClock(1_000_000L);
        handler = new FetchHandler(fixture.cache(), new PartitionReader(fixture.cache(), fixture::findLog,
                fixture.countingReader()), new FetchManager(new FetchSessionCache(10, clock)),
                new DelayedOperationPurgatory<>("Fetch", clock), Runnable::run, 1 << 20);
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private long send(long producerId, String value) {
        int sequence = sequences[(int) (producerId - ABORTING)]++;
        // Current timestamps: the markers carry the append time, and a gap beyond segment.ms would roll the log.
        Record record = new Record(0, System.currentTimeMillis(), null, ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)),
                List.of());
        BatchSpec spec = new BatchSpec(0, CompressionType.NONE, TimestampType.CREATE_TIME, RecordBatch.NO_TIMESTAMP,
                producerId, (short) 0, sequence, true, false, RecordBatch.NO_PARTITION_LEADER_EPOCH,
                RecordBatch.NO_TIMESTAMP);
        return log.appendAsLeader(RecordCodec.encode(spec, List.of(record)), HandlerFixture.LEADER_EPOCH)
                .firstOffset();
    }

    private long end(long producerId, boolean commit) {
        return log.appendTransactionMarkerAsLeader(producerId, (short) 0, new TransactionMarker(commit, 3),
                HandlerFixture.LEADER_EPOCH).firstOffset();
    }

    private void replicateAll() {
        log.updateHighWatermark(log.logEndOffset());
    }

    private FetchResponseData.PartitionData fetch(long fetchOffset, byte isolationLevel) throws Exception {
        FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(1)
                .setMaxBytes(1 << 20).setSessionEpoch(-1).setIsolationLevel(isolationLevel);
        request.topics().add(new FetchRequestData.FetchTopic().setTopicId(topicId).setPartitions(new ArrayList<>(
                List.of(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(fetchOffset)
                        .setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(-1).setLogStartOffset(-1)))));
        FetchResponseData response = (FetchResponseData) handler.handle(null, new DecodedRequest(ApiKey.FETCH,
                FETCH_VERSION, 1, "test", (short) 2, request, 0)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        FetchResponseData.PartitionData data = response.responses().get(0).partitions().get(0);
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        return data;
    }

    private List<Long> batchesOf(FetchResponseData.PartitionData data) {
        List<Long> offsets = baseOffsets(data.records());
        release(data.records());
        return offsets;
    }

    private static List<Long> abortedProducers(FetchResponseData.PartitionData data) {
        return data.abortedTransactions().stream().map(FetchResponseData.AbortedTransaction::producerId).toList();
    }

    private long latest(byte isolationLevel) throws Exception {
        ListOffsetsHandler listOffsets = new ListOffsetsHandler(fixture.cache(), fixture::findLog, partition -> -1L,
                Runnable::run);
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1)
                .setIsolationLevel(isolationLevel);
        request.topics().add(new ListOffsetsRequestData.ListOffsetsTopic().setName("payments").setPartitions(
                new ArrayList<>(List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                        .setTimestamp(-1).setCurrentLeaderEpoch(-1)))));
        ListOffsetsResponseData response = (ListOffsetsResponseData) listOffsets.handle(null, new DecodedRequest(
                ApiKey.LIST_OFFSETS, (short) 11, 1, "test", (short) 2, request, 0)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return response.topics().get(0).partitions().get(0).offset();
    }

    @Test
    void readCommittedStopsAtTheLastStableOffsetAndNamesTheAbortedTransactions() throws Exception {
        long aborted = send(ABORTING, "a1");     // 0
        long open = send(COMMITTING, "c1");      // 1
        fixture.append("payments", 0, System.currentTimeMillis(), "plain"); // 2, and the high watermark moves to the log end
        send(ABORTING, "a2");                    // 3
        long abort = end(ABORTING, false);       // 4
        replicateAll();

        FetchResponseData.PartitionData committed = fetch(0, READ_COMMITTED);
        assertThat(committed.highWatermark()).isEqualTo(5);
        assertThat(committed.lastStableOffset()).as("COMMITTING's transaction is open").isEqualTo(open);
        assertThat(abortedProducers(committed)).containsExactly(ABORTING);
        assertThat(committed.abortedTransactions().get(0).firstOffset()).isEqualTo(aborted);
        assertThat(batchesOf(committed)).containsExactly(aborted);
        assertThat(latest(READ_COMMITTED)).isEqualTo(open);

        FetchResponseData.PartitionData uncommitted = fetch(0, READ_UNCOMMITTED);
        assertThat(uncommitted.abortedTransactions()).isNull();
        assertThat(uncommitted.lastStableOffset()).isEqualTo(open);
        assertThat(batchesOf(uncommitted)).containsExactly(0L, 1L, 2L, 3L, abort);
        assertThat(latest(READ_UNCOMMITTED)).isEqualTo(5);

        long commit = end(COMMITTING, true);     // 5
        FetchResponseData.PartitionData unreplicated = fetch(0, READ_COMMITTED);
        assertThat(unreplicated.lastStableOffset()).as("the commit is not replicated yet").isEqualTo(open);
        release(unreplicated.records());
        replicateAll();
        FetchResponseData.PartitionData all = fetch(0, READ_COMMITTED);
        assertThat(all.lastStableOffset()).isEqualTo(commit + 1);
        assertThat(abortedProducers(all)).containsExactly(ABORTING);
        assertThat(batchesOf(all)).containsExactly(0L, 1L, 2L, 3L, abort, commit);
        assertThat(latest(READ_COMMITTED)).isEqualTo(commit + 1);

        FetchResponseData.PartitionData afterAbort = fetch(abort + 1, READ_COMMITTED);
        assertThat(afterAbort.abortedTransactions()).as("the aborted transaction ended before").isEmpty();
        assertThat(batchesOf(afterAbort)).containsExactly(commit);
        assertThat(fixture.slicesNotReleased()).isZero();
    }
}
