package io.fjord.metadata.records;

import io.fjord.metadata.quota.ClientQuotaEntity;
import java.util.Objects;

/**
 * One client quota of an entity is set or removed. Kafka's ClientQuotaRecord (type 14): the entity (types with names,
 * null for a default), the quota's key ({@code producer_byte_rate}, ...), its value, and whether it is removed (the
 * value is then ignored). Immutable.
 */
public record ClientQuotaRecord(ClientQuotaEntity entity, String key, double value, boolean remove)
        implements MetadataRecord {
    public static final short TYPE_ID = 14;

    public ClientQuotaRecord {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(key, "key");
    }

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
