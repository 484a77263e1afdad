package io.fjord.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.MetadataRecordSerde;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.ProducerIdsRecord;
import io.fjord.metadata.records.RegisterBrokerRecord;
import io.fjord.metadata.records.RemoveTopicRecord;
import io.fjord.metadata.records.TopicRecord;
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
            new ProducerIdsRecord(1, 2000));

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
                bytes[1] = (byte) new int[] {0, 2, 3, 4, 9, 15}[random.nextInt(6)];
                bytes[2] = 0;
                bytes[3] = 0;
            }
            try {
                MetadataRecordSerde.read(ByteBuffer.wrap(bytes));
            } catch (IllegalArgumentException expected) {
                assertThat(expected).hasMessageNotContaining("Exception");
            }
        }
    }
}
