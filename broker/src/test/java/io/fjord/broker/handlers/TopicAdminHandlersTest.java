package io.fjord.broker.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.MetadataPublication;
import io.fjord.broker.controller.ControllerApis;
import io.fjord.metadata.quorum.MetadataQuorum;
import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.controller.MetadataController;
import io.fjord.metadata.controller.OperationLimits;
import io.fjord.metadata.controller.TopicControl;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ApiMessage;
import io.fjord.protocol.message.CreateTopicsRequestData;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableTopic;
import io.fjord.protocol.message.CreateTopicsRequestData.CreatableTopicConfig;
import io.fjord.protocol.message.CreateTopicsResponseData;
import io.fjord.protocol.message.CreateTopicsResponseData.CreatableTopicResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CreateTopics through a real controller over the node's metadata quorum (a quorum of one): an operation whose records exceed the
 * metadata batch size, or that fails for any other reason, is answered with an error code for every topic (the
 * fuzzer's seed 2, frames 3500-3999, closed the connection instead) and leaves the metadata unchanged.
 */
class TopicAdminHandlersTest {
    /** A liveness bound for one controller operation on a busy machine. */
    private static final long ANSWER_BOUND_SECONDS = 60;
    private static final int CONFIG_VALUE_BYTES = 16 * 1024;

    @TempDir
    Path root;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean idsFail = new AtomicBoolean();
    private MetadataQuorum quorum;
    private MetadataCache cache;
    private MetadataController controller;
    private TopicAdminHandlers handlers;

    @BeforeEach
    void start() throws Exception {
        quorum = MetadataQuorum.standalone(1, root, ANSWER_BOUND_SECONDS * 1000);
        quorum.start();
        quorum.awaitCaughtUp(ANSWER_BOUND_SECONDS * 1000);
        cache = new MetadataCache("cluster", 1, MetadataImage.EMPTY);
        quorum.loader().attach(new MetadataPublication(cache, List.of())::publish)
                .get(ANSWER_BOUND_SECONDS, TimeUnit.SECONDS);
        controller = quorum.controller();
        TopicControl topics = new TopicControl(new TopicControl.Defaults(1, (short) 1, true),
                configs -> Optional.empty(), () -> {
                    if (idsFail.get()) {
                        throw new IllegalStateException("no topic id");
                    }
                    return new UUID(7, ids.incrementAndGet());
                });
        handlers = new TopicAdminHandlers(new ControllerApis(controller, topics, null, null, null,
                java.time.InstantSource.system()));
        controller.submit(image -> new ControllerResult<>(List.of(new RegisterBrokerRecord(1, new UUID(0, 1),
                List.of(), null, false)), Boolean.TRUE)).get(ANSWER_BOUND_SECONDS, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        quorum.close();
    }

    /** {@code topicCount} topics of one partition, each with one 16 KiB config value. */
    private static CreateTopicsRequestData topicsWithLargeConfigs(String prefix, int topicCount) {
        return topicsWithConfigValue(prefix, topicCount, "x".repeat(CONFIG_VALUE_BYTES));
    }

    private static CreateTopicsRequestData topicsWithConfigValue(String prefix, int topicCount, String value) {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
        for (int index = 0; index < topicCount; index++) {
            CreatableTopic topic = new CreatableTopic().setName(prefix + index).setNumPartitions(1)
                    .setReplicationFactor((short) 1);
            topic.configs().add(new CreatableTopicConfig().setName("fuzz.config").setValue(value));
            request.topics().add(topic);
        }
        return request;
    }

    private CreateTopicsResponseData createTopics(CreateTopicsRequestData request) throws Exception {
        ApiMessage response = handlers.createTopics(request).toCompletableFuture()
                .get(ANSWER_BOUND_SECONDS, TimeUnit.SECONDS);
        return (CreateTopicsResponseData) response;
    }

    @Test
    void operationLargerThanOneMetadataBatchIsRefusedForEveryTopicAndWritesNothing() throws Exception {
        // 556 topics: 1,112 records, far under the record bound, but about 9.1 MB encoded, over the 8 MiB batch bound.
        int topicCount = OperationLimits.RECORD_BYTES_PER_OPERATION_MAX / CONFIG_VALUE_BYTES + 44;
        long endOffset = quorum.loader().appliedEndOffset();

        CreateTopicsResponseData response = createTopics(topicsWithLargeConfigs("large-", topicCount));

        assertThat(response.topics()).hasSize(topicCount).allSatisfy(result -> {
            // Kafka 4.4's answer (its controller treats the too-large batch as a fault); the message says why.
            assertThat(result.errorCode()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
            assertThat(result.errorMessage()).contains("exceeds the maximum allowed batch size of 8388608");
        });
        assertThat(quorum.loader().appliedEndOffset()).isEqualTo(endOffset);
        assertThat(cache.image().topicsByName()).isEmpty();
    }

    @Test
    void operationJustUnderTheBatchBoundIsWritten() throws Exception {
        // Under 8 MiB, but more than the 1 MiB the metadata log accepted before: Kafka's batch bound is 8 MiB.
        int topicCount = OperationLimits.RECORD_BYTES_PER_OPERATION_MAX / CONFIG_VALUE_BYTES - 16;

        CreateTopicsResponseData response = createTopics(topicsWithLargeConfigs("fits-", topicCount));

        assertThat(response.topics()).extracting(CreatableTopicResult::errorCode).containsOnly(Errors.NONE.code());
        assertThat(cache.image().topicsByName()).hasSize(topicCount);
    }

    @Test
    void failedOperationIsAnsweredWithUnknownServerErrorForEveryTopic() throws Exception {
        idsFail.set(true);

        CreateTopicsResponseData response = createTopics(topicsWithLargeConfigs("failing-", 3));

        assertThat(response.topics()).extracting(CreatableTopicResult::name)
                .containsExactly("failing-0", "failing-1", "failing-2");
        assertThat(response.topics()).extracting(CreatableTopicResult::errorCode)
                .containsOnly(Errors.UNKNOWN_SERVER_ERROR.code());
        assertThat(cache.image().topicsByName()).isEmpty();
    }

    @Test
    void configValueTooLongForAMetadataRecordIsAnsweredForEveryTopic() throws Exception {
        // A metadata record's strings are at most 32,767 bytes (as in Kafka); the fuzzer sends values up to 32 KiB.
        CreateTopicsResponseData response = createTopics(topicsWithConfigValue("long-", 2, "x".repeat(32 * 1024)));

        assertThat(response.topics()).extracting(CreatableTopicResult::errorCode)
                .containsExactly(Errors.UNKNOWN_SERVER_ERROR.code(), Errors.UNKNOWN_SERVER_ERROR.code());
        assertThat(cache.image().topicsByName()).isEmpty();
    }
}
