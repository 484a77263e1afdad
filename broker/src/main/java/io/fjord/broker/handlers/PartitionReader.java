package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.replica.ReplicationQuota;
import io.fjord.broker.fetch.PartitionToFetch;
import io.fjord.broker.fetch.PreferredReadReplica;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.FileRegionRecords;
import io.fjord.storage.AbortedTransaction;
import io.fjord.storage.EpochEndOffset;
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
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Reads the partitions of one Fetch request from the local logs, Kafka's {@code readFromLog}: each partition is
 * checked against the metadata ({@link #readError}: known, a replica here, leader epoch, led here unless a consumer
 * may read from a follower), then read from its fetch offset up to the high watermark (consumers; the last stable
 * offset for read committed, with the aborted transactions overlapping what was read) or the log end offset (followers:
 * brokers in the partition's replica set other than this leader; any other replica id is refused, see
 * {@link #followerError}). A fetch naming the epoch of the last batch it fetched (KIP-320, Fetch v12+) is first
 * checked against this log's leader epochs ({@link #divergence}): a fetcher whose log diverged gets the epoch and
 * offset to truncate to instead of records.
 *
 * <p>Fetch from follower (KIP-392): a consumer fetch of version 11 or later carries client metadata (its rack, the
 * listener it came in on). Such a consumer may read from a follower, up to the high watermark that follower knows;
 * and when this node leads the partition and {@code replica.selector.class} is set, the leader may answer with a
 * {@code preferredReadReplica} and no records instead ({@link PreferredReadReplica}), as Kafka does. Without client
 * metadata (older versions) only the leader serves consumers.
 *
 * <p>The response budget is shared: each partition reads at most {@code min(partitionMaxBytes, bytes left of
 * maxBytes)}, and only while the response holds no records yet may the first batch exceed the limits (so a consumer
 * never stalls on a batch larger than its limits).
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
    /** Null when {@code replica.selector.class} is unset: consumers always read from the leader. */
    private final PreferredReadReplica preferredReadReplica;
    /** The leader's replication throttle; null: none. */
    private final ReplicationQuota leaderQuota;

    public PartitionReader(MetadataCache cache, Function<TopicPartition, Optional<PartitionLog>> logs) {
        this(cache, logs, PartitionLog::read);
    }

    public PartitionReader(MetadataCache cache, Function<TopicPartition, Optional<PartitionLog>> logs,
            LogReader logReader) {
        this(cache, logs, logReader, Optional.empty());
    }

    /**
     * A reader that may send consumers to a follower.
     *
     * @param preferredReadReplica the selection of {@code replica.selector.class}, empty when it is unset
     */
    public PartitionReader(MetadataCache cache, Function<TopicPartition, Optional<PartitionLog>> logs,
            LogReader logReader, Optional<PreferredReadReplica> preferredReadReplica) {
        this(cache, logs, logReader, preferredReadReplica, null);
    }

    /**
     * As above, with the leader's replication throttle (Kafka's leader ReplicationQuotaManager): while it is
     * exceeded, a follower outside the ISR of a throttled partition gets no records for it.
     */
    public PartitionReader(MetadataCache cache, Function<TopicPartition, Optional<PartitionLog>> logs,
            LogReader logReader, Optional<PreferredReadReplica> preferredReadReplica, ReplicationQuota leaderQuota) {
        this.cache = cache;
        this.logs = logs;
        this.logReader = logReader;
        this.preferredReadReplica = preferredReadReplica.orElse(null);
        this.leaderQuota = leaderQuota;
    }

    /** The bytes of throttled partitions in a follower's answer, which count against the leader's quota. */
    void recordThrottledBytes(ReadResult result, FetchParameters parameters) {
        if (leaderQuota == null || !parameters.isFromFollower()) {
            return;
        }
        long bytes = 0;
        for (Map.Entry<TopicPartition, FetchResponseData.PartitionData> entry : result.partitions().entrySet()) {
            if (leaderQuota.isThrottled(entry.getKey())) {
                bytes += entry.getValue().records().sizeInBytes();
            }
        }
        leaderQuota.record(bytes);
    }

    /**
     * What one Fetch request reads, after the broker's caps.
     *
     * @param replicaId -1 for consumers, the follower's broker id otherwise
     * @param maxWaitMs how long the fetch may wait for {@code minBytes}
     * @param minBytes bytes that answer the fetch before {@code maxWaitMs}
     * @param maxBytes the response's record budget
     * @param isolationLevel 0 read uncommitted, 1 read committed
     * @param clientMetadata the consumer's rack and listener (Fetch v11 and later), null for older versions
     */
    public record FetchParameters(int replicaId, int maxWaitMs, int minBytes, int maxBytes, byte isolationLevel,
                                  ClientMetadata clientMetadata) {
        /** A fetch without client metadata (below v11, or a follower's). */
        public FetchParameters(int replicaId, int maxWaitMs, int minBytes, int maxBytes, byte isolationLevel) {
            this(replicaId, maxWaitMs, minBytes, maxBytes, isolationLevel, null);
        }

        boolean isFromFollower() {
            return replicaId >= 0;
        }

        /** Kafka's {@code FetchParams.fetchOnlyLeader}: followers, and consumers without client metadata. */
        boolean fetchOnlyLeader() {
            return isFromFollower() || clientMetadata == null;
        }
    }

    /**
     * What a consumer says of itself from Fetch v11 on (Kafka's {@code ClientMetadata}). Immutable.
     *
     * @param rackId the consumer's {@code client.rack}, empty when unset
     * @param listenerName the listener the request came in on, whose endpoints the consumer can reach
     */
    public record ClientMetadata(String rackId, String listenerName) {
    }

    /**
     * The partitions read, in request order, with the record bytes they hold and whether any failed.
     * Not thread-safe: one owner at a time.
     */
    public static final class ReadResult {
        private final Map<TopicPartition, FetchResponseData.PartitionData> partitions;
        private final int recordBytes;
        private final boolean hasError;
        private final boolean answerNow;

        ReadResult(Map<TopicPartition, FetchResponseData.PartitionData> partitions, int recordBytes,
                boolean hasError, boolean answerNow) {
            this.partitions = partitions;
            this.recordBytes = recordBytes;
            this.hasError = hasError;
            this.answerNow = answerNow;
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

        /**
         * Whether the fetch must be answered without waiting for more bytes, as Kafka answers it: a partition failed,
         * sends the client to another replica, or tells a fetcher its log diverged.
         */
        public boolean mustAnswerNow() {
            return answerNow;
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
        boolean answerNow = false;
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
                boolean failed = data.errorCode() != Errors.NONE.code();
                hasError |= failed;
                answerNow |= failed || data.preferredReadReplica() >= 0 || data.divergingEpoch().epoch() >= 0;
                results.put(partition.topicPartition(), data);
            }
        } catch (RuntimeException e) {
            new ReadResult(results, recordBytes, true, true).release();
            throw e;
        }
        return new ReadResult(results, recordBytes, hasError, answerNow);
    }

    /** Reads one partition within {@code maxBytes} (or its first batch, with {@code minOneBatch}). */
    FetchResponseData.PartitionData read(PartitionToFetch partition, FetchParameters parameters, int maxBytes,
            boolean minOneBatch) {
        TopicPartition topicPartition = partition.topicPartition();
        MetadataImage image = cache.image();
        Optional<TopicImage> topic = image.topic(topicPartition.topic());
        PartitionImage partitionImage = topic.map(t -> t.partitions().get(topicPartition.partition())).orElse(null);
        Errors error = readError(partitionImage, partition.currentLeaderEpoch(), cache.nodeId(),
                parameters.fetchOnlyLeader());
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
        OptionalInt preferred = preferredReadReplica(image, partitionImage, partition, parameters, log);
        if (preferred.isPresent()) {
            // Kafka skips the read: the consumer moves to the follower and fetches there.
            long highWatermark = log.highWatermark();
            return new FetchResponseData.PartitionData().setHighWatermark(highWatermark)
                    .setLastStableOffset(Math.min(log.lastStableOffset(), highWatermark)).setLogStartOffset(log.logStartOffset())
                    .setAbortedTransactions(abortedTransactions(parameters))
                    .setPreferredReadReplica(preferred.getAsInt()).setRecords(emptyRecords());
        }
        if (partition.lastFetchedEpoch() >= 0) {
            FetchResponseData.PartitionData divergence = divergence(log, partition, parameters);
            if (divergence != null) {
                return divergence;
            }
        }
        if (parameters.isFromFollower() && leaderThrottled(topicPartition, partitionImage, parameters.replicaId())) {
            // Kafka's leader throttle: the follower catches up no faster than the quota; it may fetch again later.
            long highWatermark = log.highWatermark();
            return new FetchResponseData.PartitionData().setHighWatermark(highWatermark)
                    .setLastStableOffset(Math.min(log.lastStableOffset(), highWatermark)).setLogStartOffset(log.logStartOffset())
                    .setAbortedTransactions(abortedTransactions(parameters)).setRecords(emptyRecords());
        }
        // Read before the read, so that it is never above the high watermark the read reports.
        long lastStableOffset = log.lastStableOffset();
        boolean readCommitted = !parameters.isFromFollower() && parameters.isolationLevel() == READ_COMMITTED;
        long maxOffsetExclusive = parameters.isFromFollower() ? log.logEndOffset()
                : readCommitted ? lastStableOffset : log.highWatermark();
        LogReadResult result;
        try {
            result = logReader.read(log, partition.fetchOffset(), maxBytes, maxOffsetExclusive, minOneBatch);
        } catch (OffsetOutOfRangeException e) {
            long highWatermark = log.highWatermark();
            return new FetchResponseData.PartitionData().setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code())
                    .setHighWatermark(highWatermark).setLastStableOffset(Math.min(lastStableOffset, highWatermark))
                    .setLogStartOffset(log.logStartOffset()).setAbortedTransactions(abortedTransactions(parameters))
                    .setRecords(emptyRecords());
        }
        FileSlice slice = result.slice();
        FetchResponseData.PartitionData data = new FetchResponseData.PartitionData()
                .setHighWatermark(result.highWatermark())
                .setLastStableOffset(Math.min(lastStableOffset, result.highWatermark()))
                .setLogStartOffset(result.logStartOffset())
                .setAbortedTransactions(abortedTransactions(parameters))
                .setPreferredReadReplica(-1);
        if (slice.isEmpty()) {
            slice.release();
            return data.setRecords(emptyRecords());
        }
        if (readCommitted) {
            try {
                for (AbortedTransaction aborted : log.abortedTransactions(partition.fetchOffset(),
                        result.upperBoundOffset())) {
                    data.abortedTransactions().add(new FetchResponseData.AbortedTransaction()
                            .setProducerId(aborted.producerId()).setFirstOffset(aborted.firstOffset()));
                }
            } catch (RuntimeException e) {
                slice.release();
                throw e;
            }
        }
        ByteBuffer cached = slice.cachedBytes();
        if (cached != null) {
            slice.release(); // the bytes are the log's memory, not the file: nothing to hold open
            return data.setRecords(new BufferRecords(cached));
        }
        return data.setRecords(new FileRegionRecords(slice.channel(), slice.position(), slice.sizeBytes(),
                slice::release));
    }

    /**
     * KIP-320's check of a fetch that names the epoch of the last batch it fetched (Fetch v12+, Kafka's
     * {@code Partition.readRecords}): where does that epoch end in this log? Unknown (an epoch above every one this
     * log knows, or none known) is OFFSET_OUT_OF_RANGE, and so is a fetch offset below the log start. When this log
     * has no such epoch (it answers an older one) or the epoch ends before the fetch offset, the fetcher's log has
     * diverged from this one: the answer names that epoch and its end offset ({@code divergingEpoch}) and holds no
     * records, so the fetcher truncates to it. Null when the fetcher's log agrees, and the read goes on.
     */
    private static FetchResponseData.PartitionData divergence(PartitionLog log, PartitionToFetch partition,
            FetchParameters parameters) {
        // Offsets first, then the epoch lookup: the answer never shows a high watermark newer than the epochs.
        long highWatermark = log.highWatermark();
        long lastStableOffset = Math.min(log.lastStableOffset(), highWatermark);
        long logStartOffset = log.logStartOffset();
        Optional<EpochEndOffset> end = log.endOffsetForEpoch(partition.lastFetchedEpoch());
        if (end.isEmpty() || partition.fetchOffset() < logStartOffset) {
            return new FetchResponseData.PartitionData().setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code())
                    .setHighWatermark(highWatermark).setLastStableOffset(lastStableOffset)
                    .setLogStartOffset(logStartOffset).setAbortedTransactions(abortedTransactions(parameters))
                    .setRecords(emptyRecords());
        }
        EpochEndOffset found = end.get();
        if (found.epoch() < partition.lastFetchedEpoch() || found.endOffset() < partition.fetchOffset()) {
            return new FetchResponseData.PartitionData().setHighWatermark(highWatermark)
                    .setLastStableOffset(lastStableOffset).setLogStartOffset(logStartOffset)
                    .setAbortedTransactions(abortedTransactions(parameters))
                    .setDivergingEpoch(new FetchResponseData.EpochEndOffset().setEpoch(found.epoch())
                            .setEndOffset(found.endOffset()))
                    .setRecords(emptyRecords());
        }
        return null;
    }

    /**
     * The follower a consumer should read from instead (KIP-392): only a leader with {@code replica.selector.class}
     * set chooses one, and only for a consumer fetch carrying client metadata.
     */
    private OptionalInt preferredReadReplica(MetadataImage image, PartitionImage partitionImage,
            PartitionToFetch partition, FetchParameters parameters, PartitionLog log) {
        if (preferredReadReplica == null || parameters.isFromFollower() || parameters.clientMetadata() == null
                || partitionImage.leader() != cache.nodeId()) {
            return OptionalInt.empty();
        }
        ClientMetadata client = parameters.clientMetadata();
        return preferredReadReplica.select(image, partition.topicPartition(), partitionImage, client.listenerName(),
                client.rackId(), partition.fetchOffset(), log.logEndOffset());
    }

    /** {@link #readError} for a read only the leader may serve: ListOffsets, followers, consumers before v11. */
    static Errors leadershipError(PartitionImage partition, int currentLeaderEpoch, int nodeId) {
        return readError(partition, currentLeaderEpoch, nodeId, true);
    }

    /**
     * Kafka's order of checks for a partition a client reads ({@code getPartitionOrException}, then
     * {@code localLogWithEpochOrThrow}): it must exist (UNKNOWN_TOPIC_OR_PARTITION) and have a replica here
     * (NOT_LEADER_OR_FOLLOWER: the client's metadata is stale), a leader epoch the client knows must match ours
     * (older: FENCED_LEADER_EPOCH; newer: UNKNOWN_LEADER_EPOCH, our metadata lags), and with {@code requireLeader}
     * this node must lead it (NOT_LEADER_OR_FOLLOWER).
     */
    static Errors readError(PartitionImage partition, int currentLeaderEpoch, int nodeId, boolean requireLeader) {
        if (partition == null) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (!partition.replicas().contains(nodeId)) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        if (currentLeaderEpoch != NO_LEADER_EPOCH) {
            if (currentLeaderEpoch < partition.leaderEpoch()) {
                return Errors.FENCED_LEADER_EPOCH;
            }
            if (currentLeaderEpoch > partition.leaderEpoch()) {
                return Errors.UNKNOWN_LEADER_EPOCH;
            }
        }
        if (requireLeader && partition.leader() != nodeId) {
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
    /** Kafka's {@code shouldLeaderThrottle}: in-sync followers are never held back, so acks=all is not slowed. */
    private boolean leaderThrottled(TopicPartition topicPartition, PartitionImage partition, int replicaId) {
        return leaderQuota != null && !partition.isr().contains(replicaId) && leaderQuota.isThrottled(topicPartition)
                && leaderQuota.isQuotaExceeded();
    }

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

    /** None for read uncommitted (null, as Kafka sends); a list for read committed, filled after the read. */
    private static List<FetchResponseData.AbortedTransaction> abortedTransactions(FetchParameters parameters) {
        return parameters.isolationLevel() == READ_COMMITTED ? new ArrayList<>(0) : null;
    }

    private static BufferRecords emptyRecords() {
        return new BufferRecords(ByteBuffer.allocate(0));
    }
}
