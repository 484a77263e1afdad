package io.fjord.broker.replica;

import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.KafkaApiVersions;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.FetchRequestData;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.protocol.message.ListOffsetsRequestData;
import io.fjord.protocol.message.ListOffsetsResponseData;
import io.fjord.protocol.message.OffsetForLeaderEpochRequestData;
import io.fjord.protocol.message.OffsetForLeaderEpochResponseData;
import io.fjord.storage.EpochEndOffset;
import io.fjord.storage.FileSlice;
import io.fjord.storage.LogReadResult;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.TopicPartition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A leader in memory over real partition logs, answering replica Fetch, OffsetForLeaderEpoch and ListOffsets as a
 * Kafka leader does (epoch checks, KIP-320 diverging epochs, OFFSET_OUT_OF_RANGE), with faults to inject: an
 * unreachable leader, a one-shot error per partition, held responses, answers from the wrong offset. Thread-safe.
 */
final class InMemoryLeader implements LeaderEndpoint {
    private final Map<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Integer> leaderEpochs = new ConcurrentHashMap<>();
    private final Map<UUID, String> topicNames = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Errors> nextErrors = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> answerFromOffsetShift = new ConcurrentHashMap<>();
    final List<ApiMessage> requests = new CopyOnWriteArrayList<>();
    volatile boolean unreachable;
    /** When set, Fetch answers (computed at once) are completed only once this completes. */
    volatile CompletableFuture<Void> holdFetches;

    void lead(TopicPartition partition, UUID topicId, PartitionLog log, int leaderEpoch) {
        logs.put(partition, log);
        leaderEpochs.put(partition, leaderEpoch);
        topicNames.put(topicId, partition.topic());
    }

    void failNextFetch(TopicPartition partition, Errors error) {
        nextErrors.put(partition, error);
    }

    /** A faulty leader: answers from {@code shift} offsets past the fetch offset. */
    void answerFromWrongOffset(TopicPartition partition, long shift) {
        answerFromOffsetShift.put(partition, shift);
    }

    List<FetchRequestData> fetches() {
        return requests.stream().filter(FetchRequestData.class::isInstance).map(FetchRequestData.class::cast)
                .toList();
    }

    @Override
    public CompletableFuture<ApiMessage> send(ApiKey api, RequestBuilder builder) {
        if (unreachable) {
            return CompletableFuture.failedFuture(new IOException("leader unreachable"));
        }
        ApiMessage request = builder.build(KafkaApiVersions.latest(api));
        requests.add(request);
        return switch (api) {
            case FETCH -> {
                ApiMessage answer = fetch((FetchRequestData) request);
                CompletableFuture<Void> hold = holdFetches;
                yield hold == null ? CompletableFuture.completedFuture(answer) : hold.thenApply(done -> answer);
            }
            case OFFSET_FOR_LEADER_EPOCH -> CompletableFuture.completedFuture(
                    offsetForLeaderEpoch((OffsetForLeaderEpochRequestData) request));
            case LIST_OFFSETS -> CompletableFuture.completedFuture(listOffsets((ListOffsetsRequestData) request));
            default -> CompletableFuture.failedFuture(new UnsupportedOperationException(api.toString()));
        };
    }

    private Errors epochError(TopicPartition partition, int currentLeaderEpoch) {
        Integer epoch = leaderEpochs.get(partition);
        if (epoch == null) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        if (currentLeaderEpoch < epoch) {
            return Errors.FENCED_LEADER_EPOCH;
        }
        return currentLeaderEpoch > epoch ? Errors.UNKNOWN_LEADER_EPOCH : Errors.NONE;
    }

    private FetchResponseData fetch(FetchRequestData request) {
        FetchResponseData response = new FetchResponseData();
        for (FetchRequestData.FetchTopic topic : request.topics()) {
            FetchResponseData.FetchableTopicResponse topicResponse = new FetchResponseData.FetchableTopicResponse()
                    .setTopicId(topic.topicId());
            response.responses().add(topicResponse);
            String name = topicNames.get(topic.topicId());
            for (FetchRequestData.FetchPartition partition : topic.partitions()) {
                FetchResponseData.PartitionData data = new FetchResponseData.PartitionData()
                        .setPartitionIndex(partition.partition());
                topicResponse.partitions().add(data);
                if (name == null) {
                    data.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
                    continue;
                }
                TopicPartition topicPartition = new TopicPartition(name, partition.partition());
                Errors injected = nextErrors.remove(topicPartition);
                Errors error = injected != null ? injected
                        : epochError(topicPartition, partition.currentLeaderEpoch());
                if (error == Errors.NONE) {
                    error = read(logs.get(topicPartition), topicPartition, partition, data);
                }
                data.setErrorCode(error.code());
            }
        }
        return response;
    }

    /** Kafka's leader read for a follower: diverging epoch first, then the records up to the log end. */
    private Errors read(PartitionLog log, TopicPartition partition, FetchRequestData.FetchPartition fetch,
            FetchResponseData.PartitionData data) {
        long logStart = log.logStartOffset();
        data.setHighWatermark(log.highWatermark()).setLogStartOffset(logStart);
        if (fetch.lastFetchedEpoch() >= 0) {
            Optional<EpochEndOffset> end = log.endOffsetForEpoch(fetch.lastFetchedEpoch());
            if (end.isEmpty() || fetch.fetchOffset() < logStart) {
                return Errors.OFFSET_OUT_OF_RANGE;
            }
            if (end.get().epoch() < fetch.lastFetchedEpoch() || end.get().endOffset() < fetch.fetchOffset()) {
                data.setDivergingEpoch(new FetchResponseData.EpochEndOffset().setEpoch(end.get().epoch())
                        .setEndOffset(end.get().endOffset()));
                return Errors.NONE;
            }
        }
        long from = fetch.fetchOffset() + answerFromOffsetShift.getOrDefault(partition, 0L);
        if (from < logStart || from > log.logEndOffset()) {
            return Errors.OFFSET_OUT_OF_RANGE;
        }
        LogReadResult result = log.read(from, fetch.partitionMaxBytes(), log.logEndOffset(), true);
        ByteBuffer bytes;
        try (FileSlice slice = result.slice()) {
            bytes = slice.readAll();
        }
        data.setRecords(new BufferRecords(bytes));
        return Errors.NONE;
    }

    private OffsetForLeaderEpochResponseData offsetForLeaderEpoch(OffsetForLeaderEpochRequestData request) {
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : request.topics()) {
            OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult result =
                    new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic(topic.topic());
            response.topics().add(result);
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition partition : topic.partitions()) {
                TopicPartition topicPartition = new TopicPartition(topic.topic(), partition.partition());
                Errors error = epochError(topicPartition, partition.currentLeaderEpoch());
                OffsetForLeaderEpochResponseData.EpochEndOffset end = new OffsetForLeaderEpochResponseData
                        .EpochEndOffset().setPartition(partition.partition()).setErrorCode(error.code())
                        .setLeaderEpoch(-1).setEndOffset(-1);
                if (error == Errors.NONE) {
                    logs.get(topicPartition).endOffsetForEpoch(partition.leaderEpoch()).ifPresent(found ->
                            end.setLeaderEpoch(found.epoch()).setEndOffset(found.endOffset()));
                }
                result.partitions().add(end);
            }
        }
        return response;
    }

    private ListOffsetsResponseData listOffsets(ListOffsetsRequestData request) {
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : request.topics()) {
            ListOffsetsResponseData.ListOffsetsTopicResponse result =
                    new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(topic.name());
            response.topics().add(result);
            for (ListOffsetsRequestData.ListOffsetsPartition partition : topic.partitions()) {
                PartitionLog log = logs.get(new TopicPartition(topic.name(), partition.partitionIndex()));
                long offset = partition.timestamp() == ReplicaRequests.EARLIEST_TIMESTAMP ? log.logStartOffset()
                        : log.logEndOffset();
                result.partitions().add(new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(partition.partitionIndex()).setOffset(offset).setTimestamp(-1));
            }
        }
        return response;
    }

    @Override
    public void close() {
        CompletableFuture<Void> hold = holdFetches;
        if (hold != null) {
            hold.complete(null);
        }
    }
}
