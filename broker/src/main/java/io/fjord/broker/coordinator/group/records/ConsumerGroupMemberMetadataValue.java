package io.fjord.broker.coordinator.group.records;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A KIP-848 member's identity and subscription, and, for a member still speaking the classic protocol inside a
 * consumer group, its session timeout and supported protocols (tagged field 0). Version 0, flexible. Immutable.
 *
 * @param classicMemberMetadata null for a member using the consumer protocol
 */
public record ConsumerGroupMemberMetadataValue(String instanceId, String rackId, String clientId, String clientHost,
        List<String> subscribedTopicNames, String subscribedTopicRegex, int rebalanceTimeoutMs, String serverAssignor,
        ClassicMemberMetadata classicMemberMetadata) implements RecordValue {
    public ConsumerGroupMemberMetadataValue {
        subscribedTopicNames = List.copyOf(subscribedTopicNames);
    }

    @Override
    public short version() {
        return 0;
    }

    @Override
    public void writeFields(RecordWriter writer) {
        writer.compactString(instanceId);
        writer.compactString(rackId);
        writer.compactString(clientId);
        writer.compactString(clientHost);
        writer.compactStringArray(subscribedTopicNames);
        writer.compactString(subscribedTopicRegex);
        writer.int32(rebalanceTimeoutMs);
        writer.compactString(serverAssignor);
        RecordWriter classic = null;
        if (classicMemberMetadata != null) {
            classic = new RecordWriter();
            classic.int32(classicMemberMetadata.sessionTimeoutMs());
            classic.compactArrayLength(classicMemberMetadata.supportedProtocols());
            for (ClassicProtocol protocol : classicMemberMetadata.supportedProtocols()) {
                classic.compactString(protocol.name());
                classic.compactBytes(protocol.metadata());
                classic.noTaggedFields();
            }
            classic.noTaggedFields();
        }
        writer.optionalTaggedField(0, classic);
    }

    static ConsumerGroupMemberMetadataValue read(RecordReader reader) {
        String instanceId = reader.compactString();
        String rackId = reader.compactString();
        String clientId = reader.compactString();
        String clientHost = reader.compactString();
        List<String> topics = reader.compactStringArray();
        String regex = reader.compactString();
        int rebalanceTimeoutMs = reader.int32();
        String serverAssignor = reader.compactString();
        ClassicMemberMetadata[] classic = new ClassicMemberMetadata[1];
        reader.taggedFields((tag, fieldReader) -> {
            if (tag != 0) {
                return false;
            }
            classic[0] = readClassic(fieldReader);
            return true;
        });
        return new ConsumerGroupMemberMetadataValue(instanceId, rackId, clientId, clientHost,
                topics == null ? List.of() : topics, regex, rebalanceTimeoutMs, serverAssignor, classic[0]);
    }

    private static ClassicMemberMetadata readClassic(RecordReader reader) {
        int sessionTimeoutMs = reader.int32();
        int count = reader.compactArrayLength();
        List<ClassicProtocol> protocols = new ArrayList<>(Math.max(count, 0));
        for (int i = 0; i < count; i++) {
            String name = reader.compactString();
            byte[] metadata = reader.compactBytes();
            reader.taggedFields(RecordReader.NO_KNOWN_TAGS);
            protocols.add(new ClassicProtocol(name, metadata));
        }
        reader.taggedFields(RecordReader.NO_KNOWN_TAGS);
        return new ClassicMemberMetadata(sessionTimeoutMs, protocols);
    }

    /** A classic-protocol member's session timeout and supported protocols. Immutable. */
    public record ClassicMemberMetadata(int sessionTimeoutMs, List<ClassicProtocol> supportedProtocols) {
        public ClassicMemberMetadata {
            supportedProtocols = List.copyOf(supportedProtocols);
        }
    }

    /** One protocol (assignor) a classic member supports and its metadata. Immutable. */
    public record ClassicProtocol(String name, byte[] metadata) {
        @Override
        public boolean equals(Object other) {
            return other instanceof ClassicProtocol that && name.equals(that.name)
                    && Arrays.equals(metadata, that.metadata);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(metadata);
        }

        @Override
        public String toString() {
            return "ClassicProtocol[name=" + name + ", metadata=" + (metadata == null ? -1 : metadata.length)
                    + " bytes]";
        }
    }
}
