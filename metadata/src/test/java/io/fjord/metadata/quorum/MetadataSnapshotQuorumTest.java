package io.fjord.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fjord.metadata.controller.ControllerResult;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.BrokerRegistrationChangeRecord;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.raft.OffsetAndEpoch;
import io.fjord.raft.storage.SnapshotStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metadata snapshots on a real Raft quorum of one in a temporary directory: taken, loaded at restart, log cut. */
class MetadataSnapshotQuorumTest {
    /** Liveness bound for one operation on a busy machine. */
    private static final long BOUND_MS = 60_000;
    /** Small enough that a few operations pass it; each topic operation below writes more than 1 KiB. */
    private static final long SNAPSHOT_BYTES = 8 * 1024;

    @TempDir
    Path directory;
    private MetadataQuorum quorum;

    @AfterEach
    void close() throws Exception {
        if (quorum != null) {
            quorum.close();
        }
    }

    private void start(MetadataSnapshotPolicy policy) throws Exception {
        quorum = MetadataQuorum.standalone(1, directory, BOUND_MS, policy);
        quorum.start();
        quorum.awaitCaughtUp(BOUND_MS);
    }

    private void submit(List<MetadataRecord> records) throws Exception {
        quorum.controller().submit(image -> new ControllerResult<>(records, null)).get(BOUND_MS,
                TimeUnit.MILLISECONDS);
    }

    private static List<MetadataRecord> topic(String name, int partitions) {
        UUID id = UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new TopicRecord(name, id));
        for (int partition = 0; partition < partitions; partition++) {
            records.add(new PartitionRecord(id, partition, List.of(1, 2, 3), List.of(1, 2), 1, 3, 4));
        }
        return records;
    }

    /** Writes topics until the loader has had a snapshot saved; returns its id. */
    private OffsetAndEpoch writeUntilSnapshot() throws Exception {
        // A broker whose registration and controlled-shutdown offsets the snapshot must keep.
        submit(List.of(new RegisterBrokerRecord(1, new UUID(1, 1), 5, List.of(), List.of(), "rack-a", false,
                false)));
        submit(List.of(BrokerRegistrationChangeRecord.controlledShutdown(1, 5)));
        for (int index = 0; index < 64 && quorum.loader().latestSnapshotId() == null; index++) {
            submit(topic("topic-" + index, 16));
        }
        await().atMost(Duration.ofMillis(BOUND_MS)).until(() -> quorum.loader().latestSnapshotId() != null);
        return quorum.loader().latestSnapshotId();
    }

    private Path snapshotFile(OffsetAndEpoch snapshotId) {
        return directory.resolve("__cluster_metadata-0").resolve(SnapshotStore.fileName(snapshotId));
    }

    @Test
    void pastTheBytesASnapshotIsSavedAndTheLogStartsAtIt() throws Exception {
        start(new MetadataSnapshotPolicy(SNAPSHOT_BYTES, 0));
        assertThat(quorum.loader().latestSnapshotId()).isNull();

        OffsetAndEpoch snapshotId = writeUntilSnapshot();

        assertThat(snapshotFile(snapshotId)).exists();
        assertThat(snapshotId.offset()).isPositive().isLessThanOrEqualTo(quorum.loader().appliedEndOffset());
        // The driver moved the Raft log's start to the snapshot and deleted the log below.
        await().atMost(Duration.ofMillis(BOUND_MS))
                .until(() -> quorum.status().logStartOffset() >= snapshotId.offset());
        // The snapshot's state is the image at its offset: here every topic written before it.
        byte[] file = Files.readAllBytes(snapshotFile(snapshotId));
        byte[] state = java.util.Arrays.copyOfRange(file, io.fjord.raft.VoterSet.encodedSizeBytes(file),
                file.length);
        assertThat(MetadataSnapshots.decode(state).brokers().get(1).inControlledShutdown()).isTrue();
        assertThat(MetadataSnapshots.decode(state).topicsByName()).containsKey("topic-0");
    }

    @Test
    void aRestartLoadsTheSnapshotAndReplaysOnlyTheLogAfterIt() throws Exception {
        start(new MetadataSnapshotPolicy(SNAPSHOT_BYTES, 0));
        OffsetAndEpoch snapshotId = writeUntilSnapshot();
        // Entries after the snapshot, too few bytes for another.
        submit(List.of(new ConfigRecord(ConfigRecord.TOPIC, "topic-0", "retention.ms", "1000")));
        submit(List.of(new ConfigRecord(ConfigRecord.GROUP, "group", "consumer.session.timeout.ms", "45000")));
        MetadataImage before = quorum.loader().image();
        assertThat(quorum.loader().latestSnapshotId()).isEqualTo(snapshotId);
        quorum.close();
        quorum = null;

        // Kafka's defaults: no new snapshot during the restart.
        start(MetadataSnapshotPolicy.defaults());

        assertThat(quorum.loader().latestSnapshotId()).isEqualTo(snapshotId);
        assertThat(quorum.status().logStartOffset()).isEqualTo(snapshotId.offset());
        assertThat(quorum.loader().image()).isEqualTo(before);
        assertThat(quorum.loader().image().brokers().get(1).controlledShutdownOffset())
                .isEqualTo(before.brokers().get(1).controlledShutdownOffset()).isPositive();
        // And it goes on from there.
        submit(topic("after-restart", 1));
        assertThat(quorum.loader().image().topicsByName()).containsKey("after-restart");
    }
}
