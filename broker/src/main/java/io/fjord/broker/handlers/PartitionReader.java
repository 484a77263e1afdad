package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.fetch.PartitionToFetch;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.FileRegionRecords;
import io.fjord.storage.FileSlice;
import io.fjord.storage.LogReadResult;
import io.fjord.storage.OffsetOutOfRangeException;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads the partitions of one Fetch request from the local logs, Kafka's {@code readFromLog}: each partition is
 * checked against the metadata (known, led here, leader epoch), then read from its fetch offset up to the high
 * watermark (consumers; the last stable offset for read committed, which equals it while there are no transactions)
 * or the log end offset (followers: brokers in the partition's replica set other than this leader; any other replica
 * id is refused, see {@link #followerError}). The response budget is shared: each partition reads at most
 * {@code min(partitionMaxBytes, bytes left of maxBytes)}, and only while the response holds no records yet may the
 * first batch exceed the limits (so a consumer never stalls on a batch larger than its limits).
 *
 * <p>Records come back as {@link FileRegionRecords} over the log's {@link FileSlice}s, sent with zero copy; their
 * release runs once the network layer has sent or dropped them. Whoever drops a {@link ReadResult} instead of
 * sending it calls {@link ReadResult#release()}.
 *
 * <p>Thread-safe: keeps no state between calls; the metadata image is read once per partition.
 */
public final class PartitionReader {
    /** Reads one log; the seam through which tests watch the slices handed out. */
    @FunctionalInterface
    public interface LogReader {
        LogReadResult read(PartitionLog log, long startOffset, int maxBytes, long maxOffsetExclusive,
                boolean minOneBatch);
    }

    /** The isolation level value asking for committed records only. */
    public static final byte READ_COMMITTED = 1;
    private static final long UNKNOWN_OFFSET = -1;
    private static final int NO_LEADER_EPOCH = -1;

    private final MetadataCache cache;
    private final Function<TopicPartition, Optional<PartitionLog>> logs;
    private final LogReader logReader;

    public PartitionReader(MetadataCache cache, Function<TopicPartition, Optional<PartitionLog>> logs) {
        this(cache, logs, PartitionLog::read);
    }

    public PartitionReader(MetadataCache cache, Function<TopicPartition, Optional<PartitionLog>> logs,
            LogReader logReader) {
        this.cache = cache;
        this.logs = logs;
        this.logReader = logReader;
    }

    /**
     * What one Fetch request reads, after the broker's caps.
     *
     * @param replicaId -1 for consumers, the follower's broker id otherwise
     * @param maxWaitMs how long the fetch may wait for {@code minBytes}
     * @param minBytes bytes that answer the fetch before {@code maxWaitMs}
     * @param maxBytes the response's record budget
     * @param isolationLevel 0 read uncommitted, 1 read committed
     */
    public record FetchParameters(int replicaId, int maxWaitMs, int minBytes, int maxBytes, byte isolationLevel) {
        boolean isFromFollower() {
            return replicaId >= 0;
        }
    }

    /**
     * The partitions read, in request order, with the record bytes they hold and whether any failed.
     * Not thread-safe: one owner at a time.
     */
    public static final class ReadResult {
        private final Map<TopicPartition, FetchResponseData.PartitionData> partitions;
        private final int recordBytes;
        private final boolean hasError;

        ReadResult(Map<TopicPartition, FetchResponseData.PartitionData> partitions, int recordBytes,
                boolean hasError) {
            this.partitions = partitions;
            this.recordBytes = recordBytes;
            this.hasError = hasError;
        }

        public Map<TopicPartition, FetchResponseData.PartitionData> partitions() {
            return partitions;
        }

        public int recordBytes() {
            return recordBytes;
        }

        public boolean hasError() {
            return hasError;
        }

        /** Releases every file region read; for results that will not be sent. Idempotent per region. */
        public void release() {
            for (FetchResponseData.PartitionData data : partitions.values()) {
                if (data.records() instanceof FileRegionRecords region) {
                    region.release().run();
                }
            }
        }
    }

    /** Reads every partition, in order, sharing the response budget. */
    public ReadResult readAll(List<PartitionToFetch> partitions, FetchParameters parameters) {
        Map<TopicPartition, FetchResponseData.PartitionData> results = new LinkedHashMap<>();
        int bytesLeft = Math.max(0, parameters.maxBytes());
        int recordBytes = 0;
        boolean minOneBatch = true;
        boolean hasError = false;
        try {
            for (PartitionToFetch partition : partitions) {
                int partitionBudget = Math.max(0, Math.min(partition.maxBytes(), bytesLeft));
                FetchResponseData.PartitionData data = read(partition, parameters, partitionBudget, minOneBatch);
                int size = data.records().sizeInBytes();
                if (size > 0) {
                    minOneBatch = false;
                }
                bytesLeft = Math.max(0, bytesLeft - size);
                recordBytes += size;
                hasError |= data.errorCode() != Errors.NONE.code();
                results.put(partition.topicPartition(), data);
            }
        } catch (RuntimeException e) {
            new ReadResult(results, recordBytes, true).release();
            throw e;
        }
        return new ReadResult(results, recordBytes, hasError);
    }

    /** Reads one partition within {@code maxBytes} (or its first batch, with {@code minOneBatch}). */
    FetchResponseData.PartitionData read(PartitionToFetch partition, FetchParameters parameters, int maxBytes,
            boolean minOneBatch) {
        TopicPartition topicPartition = partition.topicPartition();
        MetadataImage image = cache.image();
        Optional<TopicImage> topic = image.topic(topicPartition.topic());
        PartitionImage partitionImage = topic.map(t -> t.partitions().get(topicPartition.partition())).orElse(null);
        Errors error = leadershipError(partitionImage, partition.currentLeaderEpoch(), cache.nodeId());
        if (error == Errors.NONE && parameters.isFromFollower()) {
            error = followerError(partitionImage, parameters.replicaId(), cache.nodeId());
        }
        if (error != Errors.NONE) {
            return errorPartition(error);
        }
        Optional<PartitionLog> found = logs.apply(topicPartition);
        if (found.isEmpty()) {
            return errorPartition(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        PartitionLog log = found.get();
        long maxOffsetExclusive = parameters.isFromFollower() ? log.logEndOffset() : log.highWatermark();
        LogReadResult result;
        try {
            result = logReader.read(log, partition.fetchOffset(), maxBytes, maxOffsetExclusive, minOneBatch);
        } catch (OffsetOutOfRangeException e) {
            long highWatermark = log.highWatermark();
            return new FetchResponseData.PartitionData().setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code())
                    .setHighWatermark(highWatermark).setLastStableOffset(highWatermark)
                    .setLogStartOffset(log.logStartOffset()).setAbortedTransactions(abortedTransactions(parameters))
                    .setRecords(emptyRecords());
        }
        FileSlice slice = result.slice();
        FetchResponseData.PartitionData data = new FetchResponseData.PartitionData()
                .setHighWatermark(result.highWatermark())
                .setLastStableOffset(result.highWatermark())
                .setLogStartOffset(result.logStartOffset())
                .setAbortedTransactions(abortedTransactions(parameters))
                .setPreferredReadReplica(-1);
        if (slice.isEmpty()) {
            slice.release();
            return data.setRecords(emptyRecords());
        }
        return data.setRecords(new FileRegionRecords(slice.channel(), slice.position(), slice.sizeBytes(),
                slice::release));
    }

    /**
     * Kafka's order of checks for a partition a client reads: it must exist (UNKNOWN_TOPIC_OR_PARTITION), a leader
     * epoch the client knows must match ours (older: FENCED_LEADER_EPOCH; newer: UNKNOWN_LEADER_EPOCH, our metadata
     * lags), and this node must lead it (NOT_LEADER_OR_FOLLOWER).
     */
    static Errors leadershipError(PartitionImage partition, int currentLeaderEpoch, int nodeId) {
        if (partition == null) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (currentLeaderEpoch != NO_LEADER_EPOCH) {
            if (currentLeaderEpoch < partition.leaderEpoch()) {
                return Errors.FENCED_LEADER_EPOCH;
            }
            if (currentLeaderEpoch > partition.leaderEpoch()) {
                return Errors.UNKNOWN_LEADER_EPOCH;
            }
        }
        if (partition.leader() != nodeId) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        return Errors.NONE;
    }

    /**
     * A replica fetch (replica id 0 or more) is served only to a follower of the partition: a broker in its replica
     * set other than the leader. Anyone else, this node's own id included, gets NOT_LEADER_OR_FOLLOWER, as Kafka
     * answers (CVE-2018-1288): a client posing as a replica would otherwise read past the high watermark. On a single
     * node a partition has no followers, so every replica fetch is refused. Negative ids (-1 consumers, -2 Kafka's
     * debugging consumer, -3 its future local replica) read as consumers, up to the high watermark.
     */
    static Errors followerError(PartitionImage partition, int replicaId, int nodeId) {
        if (replicaId == nodeId || !partition.replicas().contains(replicaId)) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        return Errors.NONE;
    }

    /** Kafka's answer for a partition that could not be read: unknown offsets and no records. */
    static FetchResponseData.PartitionData errorPartition(Errors error) {
        return new FetchResponseData.PartitionData().setErrorCode(error.code())
                .setHighWatermark(UNKNOWN_OFFSET).setLastStableOffset(UNKNOWN_OFFSET)
                .setLogStartOffset(UNKNOWN_OFFSET).setRecords(emptyRecords());
    }

    /** None for read uncommitted (null, as Kafka sends); an empty list for read committed (no transactions yet). */
    private static List<FetchResponseData.AbortedTransaction> abortedTransactions(FetchParameters parameters) {
        return parameters.isolationLevel() == READ_COMMITTED ? new ArrayList<>(0) : null;
    }

    private static BufferRecords emptyRecords() {
        return new BufferRecords(ByteBuffer.allocate(0));
    }
}
