package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.ListOffsetsRequestData;
import io.fjord.protocol.message.ListOffsetsResponseData;
import io.fjord.protocol.records.RecordBatch;
import io.fjord.broker.network.RequestContext;
import io.fjord.storage.FileSlice;
import io.fjord.storage.LogReadResult;
import io.fjord.storage.OffsetOutOfRangeException;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.StorageException;
import io.fjord.storage.TimestampAndOffset;
import io.fjord.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * ListOffsets (versions 1 to 11): an offset per partition by timestamp, Kafka's semantics without tiered storage.
 * <ul>
 *   <li>-2 EARLIEST and -4 EARLIEST_LOCAL: the log start offset (with the leader epoch of its batch);</li>
 *   <li>-1 LATEST: the high watermark (read uncommitted) or the last stable offset (read committed: below the
 *       earliest open transaction), with the current leader epoch; followers get the log end offset;</li>
 *   <li>-3 MAX_TIMESTAMP: the first record with the largest timestamp;</li>
 *   <li>-5 LATEST_TIERED and -6 EARLIEST_PENDING_UPLOAD: nothing is tiered, so offset and timestamp -1;</li>
 *   <li>any other value: the first record with a timestamp at or after it.</li>
 * </ul>
 * Timestamp lookups see only records below the last fetchable offset (that same offset); no record found answers offset -1 and
 * timestamp -1. Errors: UNKNOWN_TOPIC_OR_PARTITION, FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for a current leader
 * epoch older / newer than ours, NOT_LEADER_OR_FOLLOWER, OFFSET_NOT_AVAILABLE to a consumer (replica id -1) asking
 * for LATEST or a timestamp found nowhere below the high watermark while this new leader's high watermark is below
 * the start offset of its leader epoch (Kafka's rule after an election), and INVALID_REQUEST for every occurrence of
 * a partition the request names twice (as Kafka does for every version). A partition whose log cannot be read answers
 * KAFKA_STORAGE_ERROR, one holding a batch that cannot be decoded UNKNOWN_SERVER_ERROR; the connection stays open.
 *
 * <p>Thread-safe; lookups run on the read executor, never on the calling event loop.
 */
public final class ListOffsetsHandler implements ApiHandler {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ListOffsetsHandler.class);
    public static final long LATEST_TIMESTAMP = -1;
    public static final long EARLIEST_TIMESTAMP = -2;
    public static final long MAX_TIMESTAMP = -3;
    public static final long EARLIEST_LOCAL_TIMESTAMP = -4;
    public static final long LATEST_TIERED_TIMESTAMP = -5;
    public static final long EARLIEST_PENDING_UPLOAD_TIMESTAMP = -6;

    private static final long UNKNOWN = -1;
    private static final int NO_LEADER_EPOCH = -1;
    private static final int CONSUMER_REPLICA_ID = -1;

    private final MetadataCache cache;
    private final Function<TopicPartition, Optional<PartitionLog>> logs;
    private final ToLongFunction<TopicPartition> leaderEpochStartOffsets;
    private final Executor executor;

    /**
     * @param leaderEpochStartOffsets where this node's current leader epoch of a partition began (its log end then,
     *                                Kafka's {@code leaderEpochStartOffsetOpt}); -1 when it does not lead
     */
    public ListOffsetsHandler(MetadataCache cache, Function<TopicPartition, Optional<PartitionLog>> logs,
            ToLongFunction<TopicPartition> leaderEpochStartOffsets, Executor executor) {
        this.cache = cache;
        this.logs = logs;
        this.leaderEpochStartOffsets = leaderEpochStartOffsets;
        this.executor = executor;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        ListOffsetsRequestData body = (ListOffsetsRequestData) request.body();
        return CompletableFuture.supplyAsync(() -> forVersion(listOffsets(body), request.apiVersion()), executor);
    }

    ListOffsetsResponseData listOffsets(ListOffsetsRequestData body) {
        Set<PartitionKey> duplicates = duplicatePartitions(body);
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : body.topics()) {
            ListOffsetsResponseData.ListOffsetsTopicResponse topicResponse =
                    new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(topic.name());
            for (ListOffsetsRequestData.ListOffsetsPartition partition : topic.partitions()) {
                ListOffsetsResponseData.ListOffsetsPartitionResponse partitionResponse;
                if (duplicates.contains(new PartitionKey(topic.name(), partition.partitionIndex()))) {
                    partitionResponse = error(Errors.INVALID_REQUEST);
                } else if (topic.name() == null || topic.name().isEmpty() || partition.partitionIndex() < 0) {
                    partitionResponse = error(Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    partitionResponse = guardedListOffset(new TopicPartition(topic.name(),
                            partition.partitionIndex()), partition, body.replicaId(), body.isolationLevel());
                }
                topicResponse.partitions().add(partitionResponse.setPartitionIndex(partition.partitionIndex()));
            }
            response.topics().add(topicResponse);
        }
        return response;
    }

    /**
     * One partition's answer; a failure reading its log answers that partition with Kafka's error (as Kafka's replica
     * manager does) instead of failing the request, which would close the connection.
     */
    private ListOffsetsResponseData.ListOffsetsPartitionResponse guardedListOffset(TopicPartition topicPartition,
            ListOffsetsRequestData.ListOffsetsPartition partition, int replicaId, byte isolationLevel) {
        try {
            return listOffset(topicPartition, partition, replicaId, isolationLevel);
        } catch (StorageException e) {
            LOG.warn("Cannot read {} to list offsets", topicPartition, e);
            return error(Errors.KAFKA_STORAGE_ERROR);
        } catch (RuntimeException e) {
            // A stored batch whose records cannot be decoded (written before produce validated every record).
            LOG.error("Unexpected failure listing offsets of {} at timestamp {}", topicPartition,
                    partition.timestamp(), e);
            return error(Errors.UNKNOWN_SERVER_ERROR);
        }
    }

    private ListOffsetsResponseData.ListOffsetsPartitionResponse listOffset(TopicPartition topicPartition,
            ListOffsetsRequestData.ListOffsetsPartition partition, int replicaId, byte isolationLevel) {
        PartitionImage partitionImage = cache.image().topic(topicPartition.topic())
                .map(TopicImage::partitions).map(partitions -> partitions.get(topicPartition.partition()))
                .orElse(null);
        Errors error = PartitionReader.leadershipError(partitionImage, partition.currentLeaderEpoch(),
                cache.nodeId());
        if (error != Errors.NONE) {
            return error(error);
        }
        Optional<PartitionLog> found = logs.apply(topicPartition);
        if (found.isEmpty()) {
            return error(Errors.NOT_LEADER_OR_FOLLOWER);
        }
        PartitionLog log = found.get();
        // Followers see up to the log end; consumers up to the high watermark, or the last stable offset for read
        // committed (Kafka's lastFetchableOffset).
        long lastFetchableOffset = replicaId >= 0 ? log.logEndOffset()
                : isolationLevel == PartitionReader.READ_COMMITTED ? log.lastStableOffset() : log.highWatermark();
        long timestamp = partition.timestamp();
        // A new leader whose high watermark has not reached its epoch's start could answer an offset below one a
        // client saw from the previous leader; Kafka answers OFFSET_NOT_AVAILABLE (retriable) to clients meanwhile.
        boolean highWatermarkLags = replicaId == CONSUMER_REPLICA_ID
                && leaderEpochStartOffsets.applyAsLong(topicPartition) > log.highWatermark();
        if (timestamp == LATEST_TIMESTAMP) {
            return highWatermarkLags ? error(Errors.OFFSET_NOT_AVAILABLE)
                    : found(UNKNOWN, lastFetchableOffset, partitionImage.leaderEpoch());
        }
        if (timestamp == EARLIEST_TIMESTAMP || timestamp == EARLIEST_LOCAL_TIMESTAMP) {
            long logStartOffset = log.logStartOffset();
            return found(UNKNOWN, logStartOffset, epochOfBatchAt(log, logStartOffset, partitionImage.leaderEpoch()));
        }
        if (timestamp == LATEST_TIERED_TIMESTAMP || timestamp == EARLIEST_PENDING_UPLOAD_TIMESTAMP) {
            return found(UNKNOWN, UNKNOWN, NO_LEADER_EPOCH);
        }
        Optional<TimestampAndOffset> lookup = timestamp == MAX_TIMESTAMP ? log.maxTimestampAndOffset()
                : log.offsetForTimestamp(timestamp);
        return lookup.filter(result -> result.offset() < lastFetchableOffset)
                .map(result -> found(result.timestamp(), result.offset(), result.leaderEpoch()))
                .orElseGet(() -> highWatermarkLags ? error(Errors.OFFSET_NOT_AVAILABLE)
                        : found(UNKNOWN, UNKNOWN, NO_LEADER_EPOCH));
    }

    /**
     * The leader epoch of the batch holding {@code offset} (Kafka takes it from the leader-epoch cache); the current
     * leader epoch when the log holds no batch there yet.
     */
    private static int epochOfBatchAt(PartitionLog log, long offset, int currentLeaderEpoch) {
        LogReadResult read;
        try {
            read = log.read(offset, RecordBatch.MAGIC_OFFSET, Long.MAX_VALUE, false);
        } catch (OffsetOutOfRangeException e) {
            return currentLeaderEpoch;
        }
        try (FileSlice slice = read.slice()) {
            if (slice.sizeBytes() < RecordBatch.MAGIC_OFFSET) {
                return currentLeaderEpoch;
            }
            ByteBuffer header = slice.readAll();
            int epoch = header.getInt(RecordBatch.PARTITION_LEADER_EPOCH_OFFSET);
            return epoch >= 0 ? epoch : NO_LEADER_EPOCH;
        }
    }

    /** A partition as the request names it (unvalidated, unlike {@link TopicPartition}). */
    private record PartitionKey(String topic, int partition) {}

    private static Set<PartitionKey> duplicatePartitions(ListOffsetsRequestData body) {
        Set<PartitionKey> seen = new HashSet<>();
        Set<PartitionKey> duplicates = new HashSet<>();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : body.topics()) {
            for (ListOffsetsRequestData.ListOffsetsPartition partition : topic.partitions()) {
                PartitionKey key = new PartitionKey(topic.name(), partition.partitionIndex());
                if (!seen.add(key)) {
                    duplicates.add(key);
                }
            }
        }
        return duplicates;
    }

    /** Leader epochs exist from version 4 on, and Kafka refuses to write a non-default value in older versions. */
    private static ListOffsetsResponseData forVersion(ListOffsetsResponseData response, short version) {
        if (version < 4) {
            response.topics().forEach(topic -> topic.partitions().forEach(partition ->
                    partition.setLeaderEpoch(NO_LEADER_EPOCH)));
        }
        return response;
    }

    private static ListOffsetsResponseData.ListOffsetsPartitionResponse found(long timestamp, long offset,
            int leaderEpoch) {
        return new ListOffsetsResponseData.ListOffsetsPartitionResponse().setTimestamp(timestamp).setOffset(offset)
                .setLeaderEpoch(leaderEpoch);
    }

    private static ListOffsetsResponseData.ListOffsetsPartitionResponse error(Errors error) {
        return new ListOffsetsResponseData.ListOffsetsPartitionResponse().setErrorCode(error.code())
                .setTimestamp(UNKNOWN).setOffset(UNKNOWN).setLeaderEpoch(NO_LEADER_EPOCH);
    }
}
