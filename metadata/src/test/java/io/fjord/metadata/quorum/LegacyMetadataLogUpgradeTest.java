package io.fjord.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.MetadataRecordSerde;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.ProducerIdsRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.protocol.codec.RecordCodec;
import io.fjord.protocol.records.BatchSpec;
import io.fjord.protocol.records.CompressionType;
import io.fjord.protocol.records.Record;
import io.fjord.raft.storage.QuorumStateFile;
import io.fjord.raft.storage.RaftLogStore;
import io.fjord.storage.LogConfig;
import io.fjord.storage.PartitionLog;
import io.fjord.storage.internal.SegmentHandleCache;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A metadata log in the pre-Raft layout (one record batch per operation, as Fjord 0.1's {@code LocalMetadataLog}
 * wrote it, reproduced here byte for byte) becomes Raft entries, and the node's image is the same afterwards,
 * including after an upgrade that a crash interrupted.
 */
class LegacyMetadataLogUpgradeTest {
    private static final long BOUND_MS = 60_000;
    private static final UUID ORDERS = new UUID(5, 1);
    private static final UUID ACCOUNTS = new UUID(5, 2);
    private static final List<List<MetadataRecord>> OPERATIONS = List.of(
            List.of(new RegisterBrokerRecord(1, new UUID(9, 9), List.of(new RegisterBrokerRecord.BrokerEndpoint(
                    "PLAINTEXT", "localhost", 9092, (short) 0)), null, false)),
            List.of(new TopicRecord("orders", ORDERS),
                    new PartitionRecord(ORDERS, 0, List.of(1), List.of(1), 1, 0, 0),
                    new PartitionRecord(ORDERS, 1, List.of(1), List.of(1), 1, 0, 0)),
            List.of(new TopicRecord("accounts", ACCOUNTS),
                    new PartitionRecord(ACCOUNTS, 0, List.of(1), List.of(1), 1, 0, 0),
                    new ConfigRecord(ConfigRecord.TOPIC, "accounts", "cleanup.policy", "compact")),
            List.of(new ProducerIdsRecord(1, 1000)),
            List.of(new ConfigRecord(ConfigRecord.BROKER, "", "log.retention.ms", "86400000")));

    @TempDir
    Path directory;
    private MetadataQuorum quorum;

    @AfterEach
    void close() throws Exception {
        if (quorum != null) {
            quorum.close();
        }
    }

    /** Writes the operations as Fjord 0.1 did: one batch each, record offsets counting across batches. */
    private void writeLegacyLog(Path parent) {
        ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
        PartitionLog log = PartitionLog.open(parent.resolve(RaftLogStore.DIRECTORY_NAME),
                LogConfig.defaults().with(LogConfig.MAX_MESSAGE_BYTES, 8 * 1024 * 1024), 0, 0, false,
                InstantSource.system(), SegmentHandleCache.unbounded(), background);
        try {
            for (List<MetadataRecord> operation : OPERATIONS) {
                List<Record> values = new ArrayList<>();
                for (int index = 0; index < operation.size(); index++) {
                    values.add(new Record(index, 1_700_000_000_000L, null,
                            MetadataRecordSerde.write(operation.get(index)), List.of()));
                }
                ByteBuffer batch = RecordCodec.encode(BatchSpec.plain(0, CompressionType.NONE), values);
                log.appendAsLeader(batch, 0);
            }
            log.flush();
        } finally {
            log.close();
            background.shutdownNow();
        }
    }

    private static MetadataImage expectedImage() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        long offset = 0;
        for (List<MetadataRecord> operation : OPERATIONS) {
            for (MetadataRecord record : operation) {
                delta.replay(record, offset);
            }
            offset++;
        }
        return delta.apply();
    }

    private MetadataImage startQuorum() throws Exception {
        quorum = MetadataQuorum.standalone(1, directory, BOUND_MS);
        quorum.start();
        return quorum.awaitCaughtUp(BOUND_MS);
    }

    private static void assertSameMetadata(MetadataImage actual, MetadataImage expected) {
        assertThat(actual.topicsByName()).isEqualTo(expected.topicsByName());
        assertThat(actual.brokers()).isEqualTo(expected.brokers());
        assertThat(actual.topicConfigs()).isEqualTo(expected.topicConfigs());
        assertThat(actual.brokerConfigs()).isEqualTo(expected.brokerConfigs());
        assertThat(actual.nextProducerId()).isEqualTo(expected.nextProducerId());
    }

    @Test
    void aPreRaftLogBecomesOneEntryPerOperationWithTheSameImage() throws Exception {
        writeLegacyLog(directory);

        assertThat(LegacyMetadataLogUpgrade.run(directory)).isEqualTo(OPERATIONS.size());
        assertThat(directory.resolve(QuorumStateFile.FILE_NAME)).exists();
        assertThat(directory.resolve(LegacyMetadataLogUpgrade.LEGACY)).doesNotExist();
        assertThat(directory.resolve(LegacyMetadataLogUpgrade.STAGING)).doesNotExist();
        // A second run finds the directory upgraded.
        assertThat(LegacyMetadataLogUpgrade.run(directory)).isZero();

        assertSameMetadata(startQuorum(), expectedImage());
        // The entries keep their operations together: each is one entry, then the leader's own.
        assertThat(quorum.loader().appliedEndOffset()).isEqualTo(OPERATIONS.size() + 1);
    }

    @Test
    void theQuorumUpgradesOnStartAndKeepsGoingAfterARestart() throws Exception {
        writeLegacyLog(directory);
        assertSameMetadata(startQuorum(), expectedImage());
        quorum.controller().submit(image -> new io.fjord.metadata.controller.ControllerResult<>(List.of(
                new ConfigRecord(ConfigRecord.TOPIC, "orders", "retention.ms", "-1")), null))
                .get(BOUND_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        quorum.close();

        MetadataImage restarted = startQuorum();
        assertThat(restarted.topicConfig("orders")).containsEntry("retention.ms", "-1");
        assertThat(restarted.topicsByName()).containsOnlyKeys("orders", "accounts");
    }

    @Test
    void anUpgradeInterruptedAfterTheOldLogMovedAsideIsDoneAgainFromIt() throws Exception {
        // The crash came after the old log moved into the legacy directory and a partial new log was in place.
        Path legacyParent = directory.resolve(LegacyMetadataLogUpgrade.LEGACY);
        Files.createDirectories(legacyParent);
        writeLegacyLog(legacyParent);
        Files.createDirectories(directory.resolve(RaftLogStore.DIRECTORY_NAME));
        Files.writeString(directory.resolve(RaftLogStore.DIRECTORY_NAME).resolve("00000000000000000000.log"),
                "torn");
        Files.createDirectories(directory.resolve(LegacyMetadataLogUpgrade.STAGING));

        assertThat(LegacyMetadataLogUpgrade.run(directory)).isEqualTo(OPERATIONS.size());
        assertThat(legacyParent).doesNotExist();
        assertSameMetadata(startQuorum(), expectedImage());
    }

    @Test
    void anEmptyOrMissingLogNeedsNoUpgrade() throws Exception {
        assertThat(LegacyMetadataLogUpgrade.run(directory)).isZero();
        assertThat(startQuorum().topicsByName()).isEmpty();
    }
}
