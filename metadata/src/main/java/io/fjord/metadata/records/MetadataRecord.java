package io.fjord.metadata.records;

/**
 * One change to the cluster's metadata, as stored in the metadata log (the KRaft design: the log of these records is
 * the metadata; every node replays it into an image). Implementations are immutable records.
 */
public sealed interface MetadataRecord permits TopicRecord, PartitionRecord, RemoveTopicRecord, ConfigRecord,
        RegisterBrokerRecord, ProducerIdsRecord, BrokerRegistrationChangeRecord, UnregisterBrokerRecord,
        PartitionChangeRecord, FeatureLevelRecord, ImageStateRecord, BrokerOffsetsRecord, ClearElrRecord,
        UserScramCredentialRecord, RemoveUserScramCredentialRecord,
        AccessControlEntryRecord, RemoveAccessControlEntryRecord, ClientQuotaRecord {

    /** The record's type id in the log; never reused for another type. */
    short typeId();
}
