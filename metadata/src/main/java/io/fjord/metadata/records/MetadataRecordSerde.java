package io.fjord.metadata.records;

import io.fjord.metadata.quota.ClientQuotaEntity;
import io.fjord.metadata.scram.ScramCredential;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Encodes metadata records as the values of records in the metadata log: a type id (int16), a version (int16), then
 * the fields in order (strings as int16 length and UTF-8, -1 for null; lists as int32 count, -1 for a null list;
 * UUIDs as two int64). Each type has its own version: a writer always writes {@link #latestVersion(short)}, a reader
 * also reads every older version of the type (data directories hold them) and refuses versions it does not know.
 * Reading checks every length against the bytes left, so a damaged value raises {@link IllegalArgumentException}
 * instead of allocating without bound.
 *
 * <p>Versions: {@code RegisterBrokerRecord} 1 adds the broker epoch, supported features and the controlled-shutdown
 * flag (version 0 reads as epoch -1, no features, not in controlled shutdown); {@code PartitionRecord} 1 adds the
 * adding and removing replicas, the leader recovery state and the ELR lists (version 0 reads as none, recovered).
 * {@code ClearElrRecord} (type 28, Kafka's id) is a type of its own, so logs written before it read as they did; so are
 * {@code UserScramCredentialRecord} (11) and {@code RemoveUserScramCredentialRecord} (22), Kafka's ids (byte arrays
 * as int32 length and bytes); so are {@code AccessControlEntryRecord} (18) and {@code RemoveAccessControlEntryRecord}
 * (19), with Kafka's fields in Kafka's order, and {@code ClientQuotaRecord} (14: the entity as an int32 count of
 * type and nullable name pairs, the key, the value as an IEEE 754 float64, the remove flag as one byte).
 *
 * <p>Stateless and thread-safe.
 */
public final class MetadataRecordSerde {
    /** The version of types that never changed. */
    public static final short VERSION = 0;
    /** The current version of {@link RegisterBrokerRecord} and {@link PartitionRecord}. */
    public static final short VERSION_1 = 1;

    private MetadataRecordSerde() {
    }

    /** The version this class writes for a record type. */
    public static short latestVersion(short typeId) {
        return typeId == RegisterBrokerRecord.TYPE_ID || typeId == PartitionRecord.TYPE_ID ? VERSION_1 : VERSION;
    }

    public static ByteBuffer write(MetadataRecord record) {
        return write(record, latestVersion(record.typeId()));
    }

    /**
     * Writes {@code record} in an older version of its type (tests build old data directories with it).
     *
     * @throws IllegalArgumentException if the version cannot hold the record's values
     */
    public static ByteBuffer write(MetadataRecord record, short version) {
        if (version < 0 || version > latestVersion(record.typeId())) {
            throw new IllegalArgumentException("unknown version " + version + " of metadata record " + record);
        }
        Writer out = new Writer();
        out.putShort(record.typeId());
        out.putShort(version);
        if (record instanceof TopicRecord topic) {
            out.putString(topic.name());
            out.putUuid(topic.topicId());
        } else if (record instanceof PartitionRecord partition) {
            writePartition(out, partition, version);
        } else if (record instanceof RemoveTopicRecord remove) {
            out.putUuid(remove.topicId());
        } else if (record instanceof ConfigRecord config) {
            out.putByte(config.resourceType());
            out.putString(config.resourceName());
            out.putString(config.name());
            out.putString(config.value());
        } else if (record instanceof RegisterBrokerRecord broker) {
            writeBroker(out, broker, version);
        } else if (record instanceof ProducerIdsRecord ids) {
            out.putInt(ids.brokerId());
            out.putLong(ids.nextProducerId());
        } else if (record instanceof BrokerRegistrationChangeRecord change) {
            out.putInt(change.brokerId());
            out.putLong(change.brokerEpoch());
            out.putByte(change.fenced());
            out.putByte(change.inControlledShutdown());
        } else if (record instanceof UnregisterBrokerRecord unregister) {
            out.putInt(unregister.brokerId());
            out.putLong(unregister.brokerEpoch());
        } else if (record instanceof PartitionChangeRecord change) {
            out.putUuid(change.topicId());
            out.putInt(change.partitionId());
            out.putNullableInts(change.isr());
            out.putInt(change.leader());
            out.putNullableInts(change.replicas());
            out.putNullableInts(change.removingReplicas());
            out.putNullableInts(change.addingReplicas());
            out.putByte(change.leaderRecoveryState());
            out.putNullableInts(change.eligibleLeaderReplicas());
            out.putNullableInts(change.lastKnownElr());
        } else if (record instanceof FeatureLevelRecord feature) {
            out.putString(feature.name());
            out.putShort(feature.featureLevel());
        } else if (record instanceof ImageStateRecord state) {
            out.putLong(state.imageOffset());
            out.putLong(state.lastBrokerEpoch());
        } else if (record instanceof BrokerOffsetsRecord offsets) {
            out.putInt(offsets.brokerId());
            out.putLong(offsets.brokerEpoch());
            out.putLong(offsets.registeredOffset());
            out.putLong(offsets.controlledShutdownOffset());
        } else if (record instanceof ClearElrRecord clear) {
            out.putString(clear.topicName());
        } else if (record instanceof UserScramCredentialRecord scram) {
            out.putString(scram.name());
            out.putByte(scram.mechanism());
            out.putBytes(scram.credential().salt());
            out.putBytes(scram.credential().storedKey());
            out.putBytes(scram.credential().serverKey());
            out.putInt(scram.credential().iterations());
        } else if (record instanceof RemoveUserScramCredentialRecord remove) {
            out.putString(remove.name());
            out.putByte(remove.mechanism());
        } else if (record instanceof AccessControlEntryRecord acl) {
            out.putUuid(acl.id());
            out.putByte(acl.resourceType());
            out.putString(acl.resourceName());
            out.putByte(acl.patternType());
            out.putString(acl.principal());
            out.putString(acl.host());
            out.putByte(acl.operation());
            out.putByte(acl.permissionType());
        } else if (record instanceof RemoveAccessControlEntryRecord remove) {
            out.putUuid(remove.id());
        } else if (record instanceof ClientQuotaRecord quota) {
            out.putInt(quota.entity().entries().size());
            quota.entity().entries().forEach((type, name) -> {
                out.putString(type);
                out.putString(name);
            });
            out.putString(quota.key());
            out.putLong(Double.doubleToLongBits(quota.value()));
            out.putByte((byte) (quota.remove() ? 1 : 0));
        } else {
            throw new IllegalArgumentException("unknown metadata record " + record);
        }
        return out.toBuffer();
    }

    private static void writePartition(Writer out, PartitionRecord partition, short version) {
        boolean extended = !partition.removingReplicas().isEmpty() || !partition.addingReplicas().isEmpty()
                || partition.leaderRecoveryState() != PartitionRecord.RECOVERED
                || !partition.eligibleLeaderReplicas().isEmpty() || !partition.lastKnownElr().isEmpty();
        if (version == VERSION && extended) {
            throw new IllegalArgumentException("version 0 cannot hold " + partition);
        }
        out.putUuid(partition.topicId());
        out.putInt(partition.partitionId());
        out.putInts(partition.replicas());
        out.putInts(partition.isr());
        out.putInt(partition.leader());
        out.putInt(partition.leaderEpoch());
        out.putInt(partition.partitionEpoch());
        if (version >= VERSION_1) {
            out.putInts(partition.removingReplicas());
            out.putInts(partition.addingReplicas());
            out.putByte(partition.leaderRecoveryState());
            out.putInts(partition.eligibleLeaderReplicas());
            out.putInts(partition.lastKnownElr());
        }
    }

    private static void writeBroker(Writer out, RegisterBrokerRecord broker, short version) {
        if (version == VERSION && (broker.brokerEpoch() != -1 || !broker.features().isEmpty()
                || broker.inControlledShutdown())) {
            throw new IllegalArgumentException("version 0 cannot hold " + broker);
        }
        out.putInt(broker.brokerId());
        out.putUuid(broker.incarnationId());
        if (version >= VERSION_1) {
            out.putLong(broker.brokerEpoch());
        }
        out.putInt(broker.endpoints().size());
        for (RegisterBrokerRecord.BrokerEndpoint endpoint : broker.endpoints()) {
            out.putString(endpoint.listenerName());
            out.putString(endpoint.host());
            out.putInt(endpoint.port());
            out.putShort(endpoint.securityProtocol());
        }
        if (version >= VERSION_1) {
            out.putInt(broker.features().size());
            for (RegisterBrokerRecord.BrokerFeature feature : broker.features()) {
                out.putString(feature.name());
                out.putShort(feature.minSupportedVersion());
                out.putShort(feature.maxSupportedVersion());
            }
        }
        out.putString(broker.rack());
        out.putByte((byte) (broker.fenced() ? 1 : 0));
        if (version >= VERSION_1) {
            out.putByte((byte) (broker.inControlledShutdown() ? 1 : 0));
        }
    }

    public static MetadataRecord read(ByteBuffer value) {
        Reader in = new Reader(value.duplicate());
        short type = in.getShort();
        short version = in.getShort();
        if (version < 0 || version > latestVersion(type)) {
            throw new IllegalArgumentException("unknown version " + version + " of metadata record type " + type);
        }
        MetadataRecord record = switch (type) {
            case TopicRecord.TYPE_ID -> new TopicRecord(in.getString(), in.getUuid());
            case PartitionRecord.TYPE_ID -> readPartition(in, version);
            case RemoveTopicRecord.TYPE_ID -> new RemoveTopicRecord(in.getUuid());
            case ConfigRecord.TYPE_ID -> new ConfigRecord(in.getByte(), in.getString(), in.getString(), in.getString());
            case RegisterBrokerRecord.TYPE_ID -> readBroker(in, version);
            case ProducerIdsRecord.TYPE_ID -> new ProducerIdsRecord(in.getInt(), in.getLong());
            case BrokerRegistrationChangeRecord.TYPE_ID -> {
                int brokerId = in.getInt();
                long brokerEpoch = in.getLong();
                byte fenced = in.getByte();
                byte inControlledShutdown = in.getByte();
                if (fenced < -1 || fenced > 1 || inControlledShutdown < 0 || inControlledShutdown > 1) {
                    throw new IllegalArgumentException("unknown broker registration change " + fenced + "/"
                            + inControlledShutdown);
                }
                yield new BrokerRegistrationChangeRecord(brokerId, brokerEpoch, fenced, inControlledShutdown);
            }
            case UnregisterBrokerRecord.TYPE_ID -> new UnregisterBrokerRecord(in.getInt(), in.getLong());
            case PartitionChangeRecord.TYPE_ID -> new PartitionChangeRecord(in.getUuid(), in.getInt(),
                    in.getNullableInts(), in.getInt(), in.getNullableInts(), in.getNullableInts(),
                    in.getNullableInts(), in.getByte(), in.getNullableInts(), in.getNullableInts());
            case FeatureLevelRecord.TYPE_ID -> new FeatureLevelRecord(in.getString(), in.getShort());
            case ImageStateRecord.TYPE_ID -> new ImageStateRecord(in.getLong(), in.getLong());
            case BrokerOffsetsRecord.TYPE_ID -> new BrokerOffsetsRecord(in.getInt(), in.getLong(), in.getLong(),
                    in.getLong());
            case ClearElrRecord.TYPE_ID -> {
                String topicName = in.getString();
                if (topicName == null) {
                    throw new IllegalArgumentException("ClearElrRecord without a topic name");
                }
                yield new ClearElrRecord(topicName);
            }
            case UserScramCredentialRecord.TYPE_ID -> new UserScramCredentialRecord(in.getNonNullString(),
                    in.getByte(), new ScramCredential(in.getBytes(), in.getBytes(), in.getBytes(), in.getInt()));
            case RemoveUserScramCredentialRecord.TYPE_ID -> new RemoveUserScramCredentialRecord(in.getNonNullString(),
                    in.getByte());
            case AccessControlEntryRecord.TYPE_ID -> new AccessControlEntryRecord(in.getUuid(), in.getByte(),
                    in.getNonNullString(), in.getByte(), in.getNonNullString(), in.getNonNullString(), in.getByte(),
                    in.getByte());
            case RemoveAccessControlEntryRecord.TYPE_ID -> new RemoveAccessControlEntryRecord(in.getUuid());
            case ClientQuotaRecord.TYPE_ID -> readClientQuota(in);
            default -> throw new IllegalArgumentException("unknown metadata record type " + type);
        };
        in.ensureConsumed();
        return record;
    }

    private static PartitionRecord readPartition(Reader in, short version) {
        UUID topicId = in.getUuid();
        int partitionId = in.getInt();
        List<Integer> replicas = in.getInts();
        List<Integer> isr = in.getInts();
        int leader = in.getInt();
        int leaderEpoch = in.getInt();
        int partitionEpoch = in.getInt();
        if (version == VERSION) {
            return new PartitionRecord(topicId, partitionId, replicas, isr, leader, leaderEpoch, partitionEpoch);
        }
        return new PartitionRecord(topicId, partitionId, replicas, isr, leader, leaderEpoch, partitionEpoch,
                in.getInts(), in.getInts(), in.getByte(), in.getInts(), in.getInts());
    }

    private static ClientQuotaRecord readClientQuota(Reader in) {
        int count = in.getCount(4);
        TreeMap<String, String> entries = new TreeMap<>();
        for (int index = 0; index < count; index++) {
            String type = in.getNonNullString();
            if (entries.containsKey(type)) {
                throw new IllegalArgumentException("ClientQuotaRecord names entity type " + type + " twice");
            }
            entries.put(type, in.getString());
        }
        String key = in.getNonNullString();
        double value = Double.longBitsToDouble(in.getLong());
        byte remove = in.getByte();
        if (remove < 0 || remove > 1) {
            throw new IllegalArgumentException("ClientQuotaRecord with remove flag " + remove);
        }
        return new ClientQuotaRecord(new ClientQuotaEntity(entries), key, value, remove == 1);
    }

    private static RegisterBrokerRecord readBroker(Reader in, short version) {
        int brokerId = in.getInt();
        UUID incarnation = in.getUuid();
        long brokerEpoch = version >= VERSION_1 ? in.getLong() : -1;
        int count = in.getCount(12);
        List<RegisterBrokerRecord.BrokerEndpoint> endpoints = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            endpoints.add(new RegisterBrokerRecord.BrokerEndpoint(in.getString(), in.getString(), in.getInt(),
                    in.getShort()));
        }
        List<RegisterBrokerRecord.BrokerFeature> features = new ArrayList<>();
        if (version >= VERSION_1) {
            int featureCount = in.getCount(6);
            for (int index = 0; index < featureCount; index++) {
                features.add(new RegisterBrokerRecord.BrokerFeature(in.getString(), in.getShort(), in.getShort()));
            }
        }
        String rack = in.getString();
        boolean fenced = in.getByte() != 0;
        boolean inControlledShutdown = version >= VERSION_1 && in.getByte() != 0;
        return new RegisterBrokerRecord(brokerId, incarnation, brokerEpoch, endpoints, features, rack, fenced,
                inControlledShutdown);
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

        void putBytes(byte[] value) {
            putInt(value.length);
            ensure(value.length);
            buffer.put(value);
        }

        void putInts(List<Integer> values) {
            putInt(values.size());
            values.forEach(this::putInt);
        }

        void putNullableInts(List<Integer> values) {
            if (values == null) {
                putInt(-1);
            } else {
                putInts(values);
            }
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

        String getNonNullString() {
            String value = getString();
            if (value == null) {
                throw new IllegalArgumentException("metadata record with a null name");
            }
            return value;
        }

        byte[] getBytes() {
            int length = getInt();
            need(length);
            byte[] bytes = new byte[length];
            buffer.get(bytes);
            return bytes;
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

        List<Integer> getNullableInts() {
            need(4);
            if (buffer.getInt(buffer.position()) == -1) {
                buffer.getInt();
                return null;
            }
            return getInts();
        }

        void ensureConsumed() {
            if (buffer.hasRemaining()) {
                throw new IllegalArgumentException(buffer.remaining() + " unexpected bytes after a metadata record");
            }
        }
    }
}
