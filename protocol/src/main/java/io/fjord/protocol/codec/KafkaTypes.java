package io.fjord.protocol.codec;

import io.fjord.protocol.message.BufferRecords;
import io.fjord.protocol.message.FileRegionRecords;
import io.fjord.protocol.message.Records;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * Conversions of the field types that differ between Fjord's and Kafka's message classes, used by the generated
 * converters. Stateless and thread-safe.
 */
public final class KafkaTypes {
    private KafkaTypes() {
    }

    public static Uuid toKafka(UUID uuid) {
        return uuid == null ? Uuid.ZERO_UUID : new Uuid(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }

    public static UUID fromKafka(Uuid uuid) {
        return uuid == null ? null : new UUID(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }

    public static List<Uuid> toKafkaUuids(List<UUID> uuids) {
        if (uuids == null) {
            return null;
        }
        List<Uuid> copy = new ArrayList<>(uuids.size());
        uuids.forEach(uuid -> copy.add(toKafka(uuid)));
        return copy;
    }

    public static List<UUID> fromKafkaUuids(List<Uuid> uuids) {
        if (uuids == null) {
            return null;
        }
        List<UUID> copy = new ArrayList<>(uuids.size());
        uuids.forEach(uuid -> copy.add(fromKafka(uuid)));
        return copy;
    }

    public static <T> List<T> copyList(List<T> list) {
        return list == null ? null : new ArrayList<>(list);
    }

    public static ByteBuffer duplicate(ByteBuffer buffer) {
        return buffer == null ? null : buffer.duplicate();
    }

    public static BaseRecords toKafkaRecords(Records records) {
        if (records == null) {
            return null;
        }
        if (records instanceof BufferRecords buffer) {
            return MemoryRecords.readableRecords(buffer.buffer().duplicate());
        }
        return new FileRegionKafkaRecords((FileRegionRecords) records);
    }

    public static Records fromKafkaRecords(BaseRecords records) {
        if (records == null) {
            return null;
        }
        if (records instanceof MemoryRecords memory) {
            return new BufferRecords(memory.buffer().duplicate());
        }
        if (records instanceof FileRegionKafkaRecords region) {
            return region.region();
        }
        throw new IllegalArgumentException("unsupported records type " + records.getClass().getName());
    }

    /** A file region in Kafka's records interface, sent with {@link TransferableChannel#transferFrom}. */
    static final class FileRegionKafkaRecords implements BaseRecords {
        private final FileRegionRecords region;

        FileRegionKafkaRecords(FileRegionRecords region) {
            this.region = region;
        }

        FileRegionRecords region() {
            return region;
        }

        @Override
        public int sizeInBytes() {
            return region.sizeInBytes();
        }

        @Override
        public RecordsSend<FileRegionKafkaRecords> toSend() {
            return new RecordsSend<>(this, region.sizeInBytes()) {
                @Override
                protected int writeTo(TransferableChannel channel, int previouslyWritten, int remaining)
                        throws IOException {
                    return (int) channel.transferFrom(region.channel(), region.position() + previouslyWritten, remaining);
                }
            };
        }
    }
}
