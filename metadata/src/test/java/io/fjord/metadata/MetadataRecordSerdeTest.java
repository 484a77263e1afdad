package io.fjord.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import io.fjord.metadata.records.BrokerRegistrationChangeRecord;
import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.BrokerOffsetsRecord;
import io.fjord.metadata.records.ClearElrRecord;
import io.fjord.metadata.records.ClientQuotaRecord;
import io.fjord.metadata.quota.ClientQuotaEntity;
import io.fjord.metadata.records.FeatureLevelRecord;
import io.fjord.metadata.records.ImageStateRecord;
import io.fjord.metadata.records.PartitionChangeRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.MetadataRecordSerde;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.ProducerIdsRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.RemoveTopicRecord;
import io.fjord.metadata.records.TopicRecord;
import io.fjord.metadata.records.UnregisterBrokerRecord;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MetadataRecordSerdeTest {
    static final List<MetadataRecord> EXAMPLES = List.of(
            new TopicRecord("orders", new UUID(1, 2)),
            new PartitionRecord(new UUID(1, 2), 3, List.of(1, 2, 3), List.of(1, 3), 1, 7, 9),
            new RemoveTopicRecord(new UUID(5, 6)),
            new ConfigRecord(ConfigRecord.TOPIC, "orders", "retention.ms", "1000"),
            new ConfigRecord(ConfigRecord.BROKER, "", "log.retention.ms", null),
            new RegisterBrokerRecord(1, new UUID(7, 8), List.of(
                    new RegisterBrokerRecord.BrokerEndpoint("PLAINTEXT", "localhost", 9092, (short) 0)), null, false),
            new ProducerIdsRecord(1, 2000),
            new RegisterBrokerRecord(2, new UUID(9, 9), 41, List.of(
                    new RegisterBrokerRecord.BrokerEndpoint("PLAINTEXT", "h", 9093, (short) 0)),
                    List.of(new RegisterBrokerRecord.BrokerFeature("kraft.version", (short) 0, (short) 1)), "rack-a",
                    true, true),
            new PartitionRecord(new UUID(1, 2), 4, List.of(1, 2, 3), List.of(1), 1, 7, 9, List.of(3), List.of(4),
                    PartitionRecord.RECOVERING, List.of(2), List.of(3)),
            new BrokerRegistrationChangeRecord(2, 41, BrokerRegistrationChangeRecord.UNFENCE,
                    BrokerRegistrationChangeRecord.NO_CHANGE),
            BrokerRegistrationChangeRecord.controlledShutdown(2, 41),
            new UnregisterBrokerRecord(2, 41),
            new PartitionChangeRecord(new UUID(1, 2), 4, List.of(1, 2), 2),
            new PartitionChangeRecord(new UUID(1, 2), 4, null, PartitionChangeRecord.NO_LEADER_CHANGE, List.of(1, 2),
                    List.of(), List.of(2), PartitionRecord.RECOVERED, List.of(), null),
            new FeatureLevelRecord("metadata.version", (short) 27),
            new ImageStateRecord(301, 41),
            new BrokerOffsetsRecord(2, 41, 17, -1),
            new ClearElrRecord("orders"),
            ClearElrRecord.allTopics(),
            new ClientQuotaRecord(ClientQuotaEntity.userAndClient("alice", null), "producer_byte_rate", 1024, false),
            new ClientQuotaRecord(ClientQuotaEntity.of(ClientQuotaEntity.IP, "10.0.0.1"), "connection_creation_rate",
                    0.5, true));

    /**
     * A version-0 RegisterBrokerRecord byte for byte as data directories written before broker epochs hold it (the
     * layout of the release before this change): type 0, version 0, id, incarnation, endpoints, rack, fenced.
     */
    static ByteBuffer versionZeroRegistration() {
        byte[] listener = "PLAINTEXT".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] host = "localhost".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(64);
        bytes.putShort((short) 0).putShort((short) 0).putInt(1).putLong(7).putLong(8).putInt(1)
                .putShort((short) listener.length).put(listener).putShort((short) host.length).put(host)
                .putInt(9092).putShort((short) 0).putShort((short) -1).put((byte) 0);
        return bytes.flip();
    }

    @Test
    void versionZeroRegistrationsStillDecodeAndReplayWithTheirOffsetAsEpoch() {
        RegisterBrokerRecord old = (RegisterBrokerRecord) MetadataRecordSerde.read(versionZeroRegistration());
        assertThat(old).isEqualTo(new RegisterBrokerRecord(1, new UUID(7, 8), List.of(
                new RegisterBrokerRecord.BrokerEndpoint("PLAINTEXT", "localhost", 9092, (short) 0)), null, false));
        assertThat(old.brokerEpoch()).isEqualTo(-1);
        assertThat(MetadataRecordSerde.write(old, MetadataRecordSerde.VERSION)).isEqualTo(versionZeroRegistration());
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replay(old, 5);
        MetadataImage image = delta.apply();
        assertThat(image.brokers().get(1).brokerEpoch()).isEqualTo(5);
        assertThat(image.brokers().get(1).registeredOffset()).isEqualTo(5);
        assertThat(image.brokers().get(1).fenced()).isFalse();
        assertThat(image.lastBrokerEpoch()).isEqualTo(5);
    }

    @Test
    void versionZeroPartitionsStillDecodeAndNewRecordsUseVersionOne() {
        PartitionRecord partition = new PartitionRecord(new UUID(1, 2), 3, List.of(1, 2), List.of(1), 1, 7, 9);
        ByteBuffer old = MetadataRecordSerde.write(partition, MetadataRecordSerde.VERSION);
        assertThat(old.getShort(2)).isEqualTo((short) 0);
        assertThat(MetadataRecordSerde.read(old)).isEqualTo(partition);
        assertThat(MetadataRecordSerde.write(partition).getShort(2)).isEqualTo(MetadataRecordSerde.VERSION_1);
        RegisterBrokerRecord broker = (RegisterBrokerRecord) EXAMPLES.get(7);
        assertThat(MetadataRecordSerde.write(broker).getShort(2)).isEqualTo(MetadataRecordSerde.VERSION_1);
        assertThatThrownBy(() -> MetadataRecordSerde.write(broker, MetadataRecordSerde.VERSION))
                .hasMessageContaining("version 0 cannot hold");
        ByteBuffer futureVersion = ByteBuffer.allocate(4).putShort(RegisterBrokerRecord.TYPE_ID).putShort((short) 2)
                .flip();
        assertThatThrownBy(() -> MetadataRecordSerde.read(futureVersion)).hasMessageContaining("unknown version");
    }

    @Test
    void everyRecordTypeRoundTrips() {
        for (MetadataRecord record : EXAMPLES) {
            assertThat(MetadataRecordSerde.read(MetadataRecordSerde.write(record))).isEqualTo(record);
        }
    }

    @Test
    void damagedValuesAreRefusedWithoutHugeAllocations() {
        for (MetadataRecord record : EXAMPLES) {
            ByteBuffer bytes = MetadataRecordSerde.write(record);
            for (int cut = 0; cut < bytes.remaining(); cut++) {
                ByteBuffer truncated = bytes.duplicate().limit(cut);
                assertThatThrownBy(() -> MetadataRecordSerde.read(truncated)).as("%s cut at %d", record, cut)
                        .isInstanceOf(IllegalArgumentException.class);
            }
            ByteBuffer extended = ByteBuffer.allocate(bytes.remaining() + 1).put(bytes.duplicate()).put((byte) 0).flip();
            assertThatThrownBy(() -> MetadataRecordSerde.read(extended)).isInstanceOf(IllegalArgumentException.class);
        }
        ByteBuffer hugeList = ByteBuffer.allocate(64).putShort(PartitionRecord.TYPE_ID).putShort((short) 0)
                .putLong(1).putLong(2).putInt(0).putInt(Integer.MAX_VALUE).flip();
        assertThatThrownBy(() -> MetadataRecordSerde.read(hugeList)).hasMessageContaining("exceeds the bytes left");
        ByteBuffer unknownVersion = ByteBuffer.allocate(4).putShort(TopicRecord.TYPE_ID).putShort((short) 9).flip();
        assertThatThrownBy(() -> MetadataRecordSerde.read(unknownVersion)).hasMessageContaining("unknown version");
    }

    @Test
    void randomBytesNeverEscapeAsAnotherException() {
        Random random = new Random(7);
        for (int attempt = 0; attempt < 5000; attempt++) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            if (bytes.length >= 4) {
                bytes[0] = 0;
                int[] types = {0, 1, 2, 3, 4, 5, 9, 12, 15, 17};
                bytes[1] = (byte) types[random.nextInt(types.length)];
                bytes[2] = 0;
                bytes[3] = (byte) random.nextInt(2);
            }
            try {
                MetadataRecordSerde.read(ByteBuffer.wrap(bytes));
            } catch (IllegalArgumentException expected) {
                assertThat(expected).hasMessageNotContaining("Exception");
            }
        }
    }
}
