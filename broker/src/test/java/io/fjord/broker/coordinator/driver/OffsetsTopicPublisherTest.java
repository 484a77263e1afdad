package io.fjord.broker.coordinator.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.broker.coordinator.group.GroupCoordinatorConfig;
import io.fjord.broker.coordinator.group.OffsetsPartitions;
import io.fjord.broker.coordinator.group.TopicIdResolver;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.image.PartitionImage;
import io.fjord.metadata.image.TopicImage;
import io.fjord.protocol.records.CompressionType;
import io.fjord.storage.LogManager;
import io.fjord.storage.LogManagerConfig;
import io.fjord.storage.TopicPartition;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publisher loads the offsets partitions this node leads and drops those it stops leading. */
class OffsetsTopicPublisherTest {
    private static final int NODE_ID = 1;

    @TempDir
    Path directory;

    private LogManager logManager;
    private GroupCoordinatorDriver driver;
    private OffsetsTopicPublisher publisher;

    @BeforeEach
    void setUp() {
        logManager = new LogManager(LogManagerConfig.fromProperties(Map.of(LogManagerConfig.LOG_DIRS,
                directory.toString())), InstantSource.system());
        logManager.startup();
        for (int partition = 0; partition < 3; partition++) {
            logManager.getOrCreateLog(new TopicPartition(OffsetsPartitions.TOPIC, partition),
                    logManager.config().defaultLogConfig());
        }
        driver = new GroupCoordinatorDriver(GroupCoordinatorConfig.defaults(), new OffsetsTopicConfig(3, (short) 1,
                1024 * 1024, CompressionType.NONE, 1024, OffsetsTopicConfig.COMMIT_TIMEOUT_MS_DEFAULT),
                TopicIdResolver.NONE, logManager::getLog, new LogPartitionWriter(logManager::getLog),
                InstantSource.system());
        driver.start();
        publisher = new OffsetsTopicPublisher(NODE_ID, driver);
    }

    @AfterEach
    void tearDown() {
        driver.close();
        logManager.shutdown();
    }

    /** An image whose offsets topic (id {@code topicId}) has one partition per leader given. */
    private static MetadataImage image(UUID topicId, int... leaders) {
        TreeMap<Integer, PartitionImage> partitions = new TreeMap<>();
        for (int partition = 0; partition < leaders.length; partition++) {
            partitions.put(partition, new PartitionImage(partition, List.of(leaders[partition]),
                    List.of(leaders[partition]), leaders[partition], 0, 0));
        }
        TopicImage topic = new TopicImage(OffsetsPartitions.TOPIC, topicId, partitions);
        return new MetadataImage(1, Map.of(), Map.of(topic.name(), topic), Map.of(topicId, topic), Map.of(),
                Map.of(), 0);
    }

    private void awaitStatuses(Map<Integer, String> expected) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(driver.partitionStatuses()).isEqualTo(expected));
    }

    @Test
    void ledPartitionsAreLoadedAndLostOnesDropped() {
        UUID topicId = UUID.randomUUID();
        MetadataImage first = image(topicId, NODE_ID, 2, NODE_ID);
        publisher.publish(MetadataImage.EMPTY, first);
        awaitStatuses(Map.of(0, "ACTIVE", 2, "ACTIVE"));

        MetadataImage moved = image(topicId, 2, 2, NODE_ID);
        publisher.publish(first, moved);
        awaitStatuses(Map.of(2, "ACTIVE"));

        publisher.publish(moved, MetadataImage.EMPTY);
        awaitStatuses(Map.of());
    }
}
