package io.fjord.metadata.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fjord.metadata.acl.Acl;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclPatternType;
import io.fjord.metadata.acl.AclPermissionType;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.metadata.image.ImageReader;
import io.fjord.metadata.image.ImageWriter;
import io.fjord.metadata.image.MetadataDelta;
import io.fjord.metadata.image.MetadataImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The ACL records: Kafka's ids and field order, replay into the image, and the snapshot of an image with ACLs. */
class AclRecordsTest {
    private static final UUID ID = new UUID(0x0102030405060708L, 0x090a0b0c0d0e0f10L);
    private static final Acl ACL = new Acl(AclResourceType.TOPIC, "orders", AclPatternType.PREFIXED, "User:alice",
            "*", AclOperation.WRITE, AclPermissionType.DENY);

    @Test
    void theRecordsRoundTripWithKafkasTypeIdsAndFieldOrder() {
        AccessControlEntryRecord record = AccessControlEntryRecord.of(ID, ACL);
        ByteBuffer encoded = MetadataRecordSerde.write(record);

        assertThat(encoded.getShort(0)).isEqualTo((short) 18);
        ByteBuffer fields = encoded.duplicate().position(4);
        assertThat(fields.getLong()).isEqualTo(ID.getMostSignificantBits());
        assertThat(fields.getLong()).isEqualTo(ID.getLeastSignificantBits());
        assertThat(fields.get()).isEqualTo(AclResourceType.TOPIC.code());
        assertThat(string(fields)).isEqualTo("orders");
        assertThat(fields.get()).isEqualTo(AclPatternType.PREFIXED.code());
        assertThat(string(fields)).isEqualTo("User:alice");
        assertThat(string(fields)).isEqualTo("*");
        assertThat(fields.get()).isEqualTo(AclOperation.WRITE.code());
        assertThat(fields.get()).isEqualTo(AclPermissionType.DENY.code());
        assertThat(fields.hasRemaining()).isFalse();
        assertThat(MetadataRecordSerde.read(encoded)).isEqualTo(record);
        assertThat(((AccessControlEntryRecord) MetadataRecordSerde.read(encoded)).acl()).isEqualTo(ACL);

        RemoveAccessControlEntryRecord remove = new RemoveAccessControlEntryRecord(ID);
        ByteBuffer removeEncoded = MetadataRecordSerde.write(remove);
        assertThat(removeEncoded.getShort(0)).isEqualTo((short) 19);
        assertThat(MetadataRecordSerde.read(removeEncoded)).isEqualTo(remove);
    }

    private static String string(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.getShort()];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void replayAddsAndRemovesAclsAndRefusesADamagedLog() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replay(AccessControlEntryRecord.of(ID, ACL), 0);
        MetadataImage created = delta.apply();
        assertThat(created.acls().byId()).containsExactly(java.util.Map.entry(ID, ACL));

        MetadataDelta removal = new MetadataDelta(created);
        removal.replay(new RemoveAccessControlEntryRecord(ID), 1);
        assertThat(removal.apply().acls().byId()).isEmpty();

        assertThatThrownBy(() -> new MetadataDelta(created).replay(AccessControlEntryRecord.of(ID, ACL), 1))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new MetadataDelta(MetadataImage.EMPTY)
                .replay(new RemoveAccessControlEntryRecord(ID), 1)).isInstanceOf(IllegalStateException.class);
        AccessControlEntryRecord unknownOperation = new AccessControlEntryRecord(ID, (byte) 2, "orders", (byte) 3,
                "User:alice", "*", (byte) 99, (byte) 3);
        assertThatThrownBy(() -> new MetadataDelta(MetadataImage.EMPTY).replay(unknownOperation, 0))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSnapshotOfAnImageWithAclsRestoresThem() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replay(AccessControlEntryRecord.of(ID, ACL), 0);
        delta.replay(AccessControlEntryRecord.of(new UUID(7, 7), new Acl(AclResourceType.CLUSTER,
                AclResourceType.CLUSTER_NAME, AclPatternType.LITERAL, "User:admin", "10.0.0.1", AclOperation.ALTER,
                AclPermissionType.ALLOW)), 1);
        MetadataImage image = delta.apply();

        List<MetadataRecord> snapshot = ImageWriter.write(image).stream()
                .map(record -> MetadataRecordSerde.read(MetadataRecordSerde.write(record))).toList();
        MetadataImage restored = ImageReader.read(snapshot);

        assertThat(restored).isEqualTo(image);
        assertThat(restored.acls().applyingTo(AclResourceType.TOPIC, "orders-eu")).containsExactly(ACL);
        assertThat(ImageWriter.write(restored)).isEqualTo(ImageWriter.write(image));
    }
}
