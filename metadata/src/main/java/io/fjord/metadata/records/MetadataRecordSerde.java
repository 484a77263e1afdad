package io.fjord.metadata.records;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Encodes metadata records as the values of records in the metadata log: a type id (int16), a version (int16), then
 * the fields in order (strings as int16 length and UTF-8, -1 for null; lists as int32 count; UUIDs as two int64).
 * Reading checks every length against the bytes left, so a damaged value raises
 * {@link IllegalArgumentException} instead of allocating without bound.
 *
 * <p>Stateless and thread-safe.
 */
public final class MetadataRecordSerde {
    /** Version 0 of every type; a reader refuses versions it does not know. */
    public static final short VERSION = 0;

    private MetadataRecordSerde() {
    }

    public static ByteBuffer write(MetadataRecord record) {
        Writer out = new Writer();
        out.putShort(record.typeId());
        out.putShort(VERSION);
        if (record instanceof TopicRecord topic) {
            out.putString(topic.name());
            out.putUuid(topic.topicId());
        } else if (record instanceof PartitionRecord partition) {
            out.putUuid(partition.topicId());
            out.putInt(partition.partitionId());
            out.putInts(partition.replicas());
            out.putInts(partition.isr());
            out.putInt(partition.leader());
            out.putInt(partition.leaderEpoch());
            out.putInt(partition.partitionEpoch());
        } else if (record instanceof RemoveTopicRecord remove) {
            out.putUuid(remove.topicId());
        } else if (record instanceof ConfigRecord config) {
            out.putByte(config.resourceType());
            out.putString(config.resourceName());
            out.putString(config.name());
            out.putString(config.value());
        } else if (record instanceof RegisterBrokerRecord broker) {
            out.putInt(broker.brokerId());
            out.putUuid(broker.incarnationId());
            out.putInt(broker.endpoints().size());
            for (RegisterBrokerRecord.BrokerEndpoint endpoint : broker.endpoints()) {
                out.putString(endpoint.listenerName());
                out.putString(endpoint.host());
                out.putInt(endpoint.port());
                out.putShort(endpoint.securityProtocol());
            }
            out.putString(broker.rack());
            out.putByte((byte) (broker.fenced() ? 1 : 0));
        } else if (record instanceof ProducerIdsRecord ids) {
            out.putInt(ids.brokerId());
            out.putLong(ids.nextProducerId());
        } else {
            throw new IllegalArgumentException("unknown metadata record " + record);
        }
        return out.toBuffer();
    }

    public static MetadataRecord read(ByteBuffer value) {
        Reader in = new Reader(value.duplicate());
        short type = in.getShort();
        short version = in.getShort();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown version " + version + " of metadata record type " + type);
        }
        MetadataRecord record = switch (type) {
            case TopicRecord.TYPE_ID -> new TopicRecord(in.getString(), in.getUuid());
            case PartitionRecord.TYPE_ID -> new PartitionRecord(in.getUuid(), in.getInt(), in.getInts(), in.getInts(),
                    in.getInt(), in.getInt(), in.getInt());
            case RemoveTopicRecord.TYPE_ID -> new RemoveTopicRecord(in.getUuid());
            case ConfigRecord.TYPE_ID -> new ConfigRecord(in.getByte(), in.getString(), in.getString(), in.getString());
            case RegisterBrokerRecord.TYPE_ID -> {
                int brokerId = in.getInt();
                UUID incarnation = in.getUuid();
                int count = in.getCount(12);
                List<RegisterBrokerRecord.BrokerEndpoint> endpoints = new ArrayList<>(count);
                for (int index = 0; index < count; index++) {
                    endpoints.add(new RegisterBrokerRecord.BrokerEndpoint(in.getString(), in.getString(), in.getInt(),
                            in.getShort()));
                }
                yield new RegisterBrokerRecord(brokerId, incarnation, endpoints, in.getString(), in.getByte() != 0);
            }
            case ProducerIdsRecord.TYPE_ID -> new ProducerIdsRecord(in.getInt(), in.getLong());
            default -> throw new IllegalArgumentException("unknown metadata record type " + type);
        };
        in.ensureConsumed();
        return record;
    }

    /** Growable big-endian writer. Not thread-safe. */
    private static final class Writer {
        private ByteBuffer buffer = ByteBuffer.allocate(64);

        private void ensure(int bytes) {
            if (buffer.remaining() < bytes) {
                ByteBuffer larger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes));
                larger.put(buffer.flip());
                buffer = larger;
            }
        }

        void putByte(byte value) {
            ensure(1);
            buffer.put(value);
        }

        void putShort(short value) {
            ensure(2);
            buffer.putShort(value);
        }

        void putInt(int value) {
            ensure(4);
            buffer.putInt(value);
        }

        void putLong(long value) {
            ensure(8);
            buffer.putLong(value);
        }

        void putUuid(UUID value) {
            putLong(value.getMostSignificantBits());
            putLong(value.getLeastSignificantBits());
        }

        void putString(String value) {
            if (value == null) {
                putShort((short) -1);
                return;
            }
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("string of " + bytes.length + " bytes is too long");
            }
            putShort((short) bytes.length);
            ensure(bytes.length);
            buffer.put(bytes);
        }

        void putInts(List<Integer> values) {
            putInt(values.size());
            values.forEach(this::putInt);
        }

        ByteBuffer toBuffer() {
            return buffer.flip();
        }
    }

    /** Bounds-checked reader. Not thread-safe. */
    private static final class Reader {
        private final ByteBuffer buffer;

        Reader(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        private void need(int bytes) {
            if (bytes < 0 || buffer.remaining() < bytes) {
                throw new IllegalArgumentException("metadata record needs " + bytes + " more bytes, "
                        + buffer.remaining() + " left");
            }
        }

        byte getByte() {
            need(1);
            return buffer.get();
        }

        short getShort() {
            need(2);
            return buffer.getShort();
        }

        int getInt() {
            need(4);
            return buffer.getInt();
        }

        long getLong() {
            need(8);
            return buffer.getLong();
        }

        UUID getUuid() {
            return new UUID(getLong(), getLong());
        }

        String getString() {
            short length = getShort();
            if (length == -1) {
                return null;
            }
            need(length);
            byte[] bytes = new byte[length];
            buffer.get(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** A count whose elements take at least {@code minimumElementBytes} each, checked against the bytes left. */
        int getCount(int minimumElementBytes) {
            int count = getInt();
            if (count < 0 || (long) count * minimumElementBytes > buffer.remaining()) {
                throw new IllegalArgumentException("count " + count + " exceeds the bytes left");
            }
            return count;
        }

        List<Integer> getInts() {
            int count = getCount(4);
            List<Integer> values = new ArrayList<>(count);
            for (int index = 0; index < count; index++) {
                values.add(buffer.getInt());
            }
            return values;
        }

        void ensureConsumed() {
            if (buffer.hasRemaining()) {
                throw new IllegalArgumentException(buffer.remaining() + " unexpected bytes after a metadata record");
            }
        }
    }
}
