package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.network.RequestContext;
import io.fjord.metadata.controller.TopicNames;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.Errors;
import io.fjord.protocol.codec.DecodedRequest;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.DescribeProducersRequestData;
import io.fjord.protocol.message.DescribeProducersResponseData;
import io.fjord.protocol.message.DescribeProducersResponseData.PartitionResponse;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.ProducerState;
import io.fjord.storage.TopicPartition;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * DescribeProducers (KIP-664): the producers a partition's log remembers (id, epoch, last sequence, last timestamp,
 * coordinator epoch, first offset of the open transaction), in producer-id order. As in Kafka, any replica holding
 * the log answers, not only the leader. Errors as Kafka gives them: an illegal topic name is INVALID_TOPIC_EXCEPTION
 * with its reason, a topic the metadata does not know UNKNOWN_TOPIC_OR_PARTITION with its message (for every
 * partition asked for), a partition the topic does not have UNKNOWN_TOPIC_OR_PARTITION, and a partition whose log is
 * not on this node NOT_LEADER_OR_FOLLOWER. Thread-safe: the producer states are a consistent copy taken under the
 * log's lock.
 */
public final class DescribeProducersHandler implements ApiHandler {
    private final MetadataCache cache;
    private final Function<TopicPartition, Optional<PartitionLog>> logs;

    public DescribeProducersHandler(MetadataCache cache, Function<TopicPartition, Optional<PartitionLog>> logs) {
        this.cache = cache;
        this.logs = logs;
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext context, DecodedRequest request) {
        DescribeProducersRequestData body = (DescribeProducersRequestData) request.body();
        DescribeProducersResponseData response = new DescribeProducersResponseData();
        for (DescribeProducersRequestData.TopicRequest topic : body.topics()) {
            DescribeProducersResponseData.TopicResponse answer = new DescribeProducersResponseData.TopicResponse()
                    .setName(topic.name());
            Optional<String> invalidName = TopicNames.validate(topic.name());
            Optional<TopicImage> image = invalidName.isPresent() ? Optional.empty() : cache.image().topic(topic.name());
            for (int partitionIndex : topic.partitionIndexes()) {
                PartitionResponse partition = new PartitionResponse().setPartitionIndex(partitionIndex);
                if (invalidName.isPresent()) {
                    partition.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code()).setErrorMessage(invalidName.get());
                } else if (image.isEmpty()) {
                    partition.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
                } else {
                    describe(image.get(), partition);
                }
                answer.partitions().add(partition);
            }
            response.topics().add(answer);
        }
        return CompletableFuture.completedFuture(response);
    }

    private void describe(TopicImage topic, PartitionResponse partition) {
        if (!topic.partitions().containsKey(partition.partitionIndex())) {
            partition.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            return;
        }
        Optional<PartitionLog> log = logs.apply(new TopicPartition(topic.name(), partition.partitionIndex()));
        if (log.isEmpty()) {
            partition.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
            return;
        }
        log.get().producerStates().values().stream().sorted(Comparator.comparingLong(ProducerState::producerId))
                .forEach(state -> partition.activeProducers().add(new DescribeProducersResponseData.ProducerState()
                        .setProducerId(state.producerId()).setProducerEpoch(state.producerEpoch())
                        .setLastSequence(state.lastSequence()).setLastTimestamp(state.lastTimestampMs())
                        .setCoordinatorEpoch(state.coordinatorEpoch())
                        .setCurrentTxnStartOffset(state.currentTransactionFirstOffset())));
    }
}
