package io.fjord.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.RemoveTopicRecord;
import io.fjord.metadata.records.TopicRecord;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMetadataLogTest {
    @TempDir
    Path root;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        background.shutdownNow();
    }

    private LocalMetadataLog open() {
        return LocalMetadataLog.open(root, InstantSource.system(), background);
    }

    @Test
    void appendedRecordsReplayIntoAnImageAcrossRestartsAndATornTail() throws Exception {
        UUID orders = new UUID(1, 1);
        UUID payments = new UUID(2, 2);
        try (LocalMetadataLog log = open()) {
            assertThat(log.append(List.of(new TopicRecord("orders", orders),
                    new PartitionRecord(orders, 0, List.of(1), List.of(1), 1, 0, 0),
                    new PartitionRecord(orders, 1, List.of(1), List.of(1), 1, 0, 0)))).isEqualTo(2);
            assertThat(log.append(List.of(new ConfigRecord(ConfigRecord.TOPIC, "orders", "retention.ms", "5")))).isEqualTo(3);
            assertThat(log.append(List.of(new TopicRecord("payments", payments),
                    new PartitionRecord(payments, 0, List.of(1), List.of(1), 1, 0, 0)))).isEqualTo(5);
            assertThat(log.append(List.of(new RemoveTopicRecord(payments)))).isEqualTo(6);
        }
        MetadataImage image;
        try (LocalMetadataLog log = open()) {
            image = MetadataLoader.load(log, MetadataImage.EMPTY);
            assertThat(log.endOffset()).isEqualTo(7);
        }
        assertThat(image.offset()).isEqualTo(6);
        assertThat(image.topicsByName()).containsOnlyKeys("orders");
        assertThat(image.topic(orders).orElseThrow().partitionCount()).isEqualTo(2);
        assertThat(image.topicConfig("orders")).containsEntry("retention.ms", "5");

        // A crash that tears the last batch: the image keeps everything before it.
        Path segment = root.resolve(LocalMetadataLog.DIRECTORY_NAME).resolve("00000000000000000000.log");
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(file.length() - 3);
        }
        try (LocalMetadataLog log = open()) {
            MetadataImage recovered = MetadataLoader.load(log, MetadataImage.EMPTY);
            assertThat(recovered.offset()).isEqualTo(5);
            assertThat(recovered.topicsByName()).containsOnlyKeys("orders", "payments");
            assertThat(log.endOffset()).isEqualTo(6);
            log.append(List.of(new RemoveTopicRecord(payments)));
            assertThat(MetadataLoader.load(log, recovered).topicsByName()).containsOnlyKeys("orders");
        }
    }
}
