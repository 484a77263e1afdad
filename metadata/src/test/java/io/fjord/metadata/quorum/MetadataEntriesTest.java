package io.fjord.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.metadata.records.ConfigRecord;
import io.fjord.metadata.records.MetadataRecord;
import io.fjord.metadata.records.PartitionRecord;
import io.fjord.metadata.records.TopicRecord;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MetadataEntriesTest {
    private static final UUID TOPIC_ID = new UUID(3, 4);
    private static final List<MetadataRecord> RECORDS = List.of(new TopicRecord("orders", TOPIC_ID),
            new PartitionRecord(TOPIC_ID, 0, List.of(1), List.of(1), 1, 0, 0),
            new ConfigRecord(ConfigRecord.TOPIC, "orders", "retention.ms", "-1"));

    @Test
    void recordsRoundTripInOrder() {
        assertThat(MetadataEntries.decode(MetadataEntries.encode(RECORDS))).containsExactlyElementsOf(RECORDS);
        assertThat(MetadataEntries.decode(MetadataEntries.encode(List.of()))).isEmpty();
    }

    @Test
    void damagedEntriesAreRefusedBeforeAnythingLargeIsAllocated() {
        byte[] payload = MetadataEntries.encode(RECORDS);
        assertThatThrownBy(() -> MetadataEntries.decode(Arrays.copyOf(payload, payload.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MetadataEntries.decode(Arrays.copyOf(payload, payload.length + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after the records");
        assertThatThrownBy(() -> MetadataEntries.decode(new byte[3])).isInstanceOf(IllegalArgumentException.class);

        byte[] unknownFormat = payload.clone();
        unknownFormat[0] = 7;
        assertThatThrownBy(() -> MetadataEntries.decode(unknownFormat)).hasMessageContaining("format 7");

        byte[] hugeCount = payload.clone();
        ByteBuffer.wrap(hugeCount).putInt(1, Integer.MAX_VALUE);
        assertThatThrownBy(() -> MetadataEntries.decode(hugeCount)).hasMessageContaining("claims 2147483647 records");

        byte[] hugeLength = payload.clone();
        ByteBuffer.wrap(hugeLength).putInt(MetadataEntries.HEADER_BYTES, Integer.MAX_VALUE);
        assertThatThrownBy(() -> MetadataEntries.decode(hugeLength)).hasMessageContaining("claims 2147483647 bytes");

        byte[] negativeLength = payload.clone();
        ByteBuffer.wrap(negativeLength).putInt(MetadataEntries.HEADER_BYTES, -5);
        assertThatThrownBy(() -> MetadataEntries.decode(negativeLength)).isInstanceOf(IllegalArgumentException.class);
    }
}
