package io.fjord.metadata.records;

/**
 * A registered broker was fenced, unfenced or entered controlled shutdown; Kafka's BrokerRegistrationChangeRecord.
 * Applies only to the registration with {@code brokerEpoch}. Immutable.
 *
 * @param fenced               {@link #FENCE}, {@link #UNFENCE} or {@link #NO_CHANGE} (Kafka's int8 values)
 * @param inControlledShutdown {@link #IN_CONTROLLED_SHUTDOWN} or {@link #NO_CHANGE}
 */
public record BrokerRegistrationChangeRecord(int brokerId, long brokerEpoch, byte fenced, byte inControlledShutdown)
        implements MetadataRecord {
    public static final short TYPE_ID = 17;
    public static final byte NO_CHANGE = 0;
    public static final byte FENCE = 1;
    public static final byte UNFENCE = -1;
    public static final byte IN_CONTROLLED_SHUTDOWN = 1;

    public BrokerRegistrationChangeRecord {
        if (fenced != NO_CHANGE && fenced != FENCE && fenced != UNFENCE) {
            throw new IllegalArgumentException("unknown fencing change " + fenced);
        }
        if (inControlledShutdown != NO_CHANGE && inControlledShutdown != IN_CONTROLLED_SHUTDOWN) {
            throw new IllegalArgumentException("unknown controlled shutdown change " + inControlledShutdown);
        }
    }

    public static BrokerRegistrationChangeRecord fence(int brokerId, long brokerEpoch) {
        return new BrokerRegistrationChangeRecord(brokerId, brokerEpoch, FENCE, NO_CHANGE);
    }

    public static BrokerRegistrationChangeRecord unfence(int brokerId, long brokerEpoch) {
        return new BrokerRegistrationChangeRecord(brokerId, brokerEpoch, UNFENCE, NO_CHANGE);
    }

    public static BrokerRegistrationChangeRecord controlledShutdown(int brokerId, long brokerEpoch) {
        return new BrokerRegistrationChangeRecord(brokerId, brokerEpoch, NO_CHANGE, IN_CONTROLLED_SHUTDOWN);
    }

    @Override
    public short typeId() {
        return TYPE_ID;
    }
}
