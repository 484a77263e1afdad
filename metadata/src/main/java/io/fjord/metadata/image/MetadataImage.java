package io.fjord.metadata.image;

import io.fjord.metadata.acl.AclsImage;
import io.fjord.metadata.quota.ClientQuotaEntity;
import io.fjord.metadata.scram.ScramCredential;
import io.fjord.metadata.scram.ScramMechanism;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * The cluster's metadata as of one offset of the metadata log: brokers, topics with their partitions, configuration
 * overrides and the next free producer id. Built only by replaying records ({@link MetadataDelta}); never changed, so
 * any thread may read it while a newer image is being built.
 *
 * <p>Its maps are persistent ({@link PMap}, Kafka's own choice for its images): the next image shares every entry
 * that did not change with this one, so applying a change costs in proportion to the change (times log n), not to the
 * cluster's size. Maps handed in that are not persistent are copied once.
 *
 * @param offset          the last metadata-log offset applied, -1 for the empty image
 * @param topicConfigs    overrides by topic name
 * @param brokerConfigs   overrides by broker id as a string ("" for the cluster-wide default)
 * @param nextProducerId  the first producer id not yet handed out
 * @param groupConfigs    overrides by group id (KIP-848 group configs; they outlive the group, as in Kafka)
 * @param features        finalized feature levels by name (features at level 0 are absent)
 * @param lastBrokerEpoch the highest broker epoch any registration got, -1 before the first: new epochs go above it
 * @param scramCredentials SCRAM credentials by user name, then mechanism (users without any are absent)
 * @param acls            the ACLs, by id and indexed by resource (persistent too)
 * @param clientQuotas    client quota values by entity, then key (entities without any are absent)
 */
public record MetadataImage(long offset, Map<Integer, BrokerImage> brokers, Map<String, TopicImage> topicsByName,
                            Map<UUID, TopicImage> topicsById, Map<String, Map<String, String>> topicConfigs,
                            Map<String, Map<String, String>> brokerConfigs, long nextProducerId,
                            Map<String, Map<String, String>> groupConfigs, Map<String, Short> features,
                            long lastBrokerEpoch, Map<String, Map<ScramMechanism, ScramCredential>> scramCredentials,
                            AclsImage acls, Map<ClientQuotaEntity, Map<String, Double>> clientQuotas) {
    public static final MetadataImage EMPTY = new MetadataImage(-1, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), 0);

    public MetadataImage {
        brokers = persistent(brokers);
        topicsByName = persistent(topicsByName);
        topicsById = persistent(topicsById);
        topicConfigs = persistent(topicConfigs);
        brokerConfigs = persistent(brokerConfigs);
        groupConfigs = persistent(groupConfigs);
        features = persistent(features);
        scramCredentials = persistent(scramCredentials);
        acls = acls == null ? AclsImage.EMPTY : acls;
        clientQuotas = persistent(clientQuotas);
    }

    /** An image without client quotas. */
    public MetadataImage(long offset, Map<Integer, BrokerImage> brokers, Map<String, TopicImage> topicsByName,
                         Map<UUID, TopicImage> topicsById, Map<String, Map<String, String>> topicConfigs,
                         Map<String, Map<String, String>> brokerConfigs, long nextProducerId,
                         Map<String, Map<String, String>> groupConfigs, Map<String, Short> features,
                         long lastBrokerEpoch, Map<String, Map<ScramMechanism, ScramCredential>> scramCredentials,
                         AclsImage acls) {
        this(offset, brokers, topicsByName, topicsById, topicConfigs, brokerConfigs, nextProducerId, groupConfigs,
                features, lastBrokerEpoch, scramCredentials, acls, Map.of());
    }

    /** An image without ACLs and client quotas. */
    public MetadataImage(long offset, Map<Integer, BrokerImage> brokers, Map<String, TopicImage> topicsByName,
                         Map<UUID, TopicImage> topicsById, Map<String, Map<String, String>> topicConfigs,
                         Map<String, Map<String, String>> brokerConfigs, long nextProducerId,
                         Map<String, Map<String, String>> groupConfigs, Map<String, Short> features,
                         long lastBrokerEpoch, Map<String, Map<ScramMechanism, ScramCredential>> scramCredentials) {
        this(offset, brokers, topicsByName, topicsById, topicConfigs, brokerConfigs, nextProducerId, groupConfigs,
                features, lastBrokerEpoch, scramCredentials, AclsImage.EMPTY, Map.of());
    }

    /** An image without SCRAM credentials. */
    public MetadataImage(long offset, Map<Integer, BrokerImage> brokers, Map<String, TopicImage> topicsByName,
                         Map<UUID, TopicImage> topicsById, Map<String, Map<String, String>> topicConfigs,
                         Map<String, Map<String, String>> brokerConfigs, long nextProducerId,
                         Map<String, Map<String, String>> groupConfigs, Map<String, Short> features,
                         long lastBrokerEpoch) {
        this(offset, brokers, topicsByName, topicsById, topicConfigs, brokerConfigs, nextProducerId, groupConfigs,
                features, lastBrokerEpoch, Map.of(), AclsImage.EMPTY, Map.of());
    }

    /** The map itself when persistent (immutable, so it can be shared), else a persistent copy without nulls. */
    static <K, V> PMap<K, V> persistent(Map<K, V> map) {
        if (map instanceof PMap<K, V> persistent) {
            return persistent;
        }
        return HashTreePMap.from(Map.copyOf(map));
    }

    /** An image without features and broker epochs. */
    public MetadataImage(long offset, Map<Integer, BrokerImage> brokers, Map<String, TopicImage> topicsByName,
                         Map<UUID, TopicImage> topicsById, Map<String, Map<String, String>> topicConfigs,
                         Map<String, Map<String, String>> brokerConfigs, long nextProducerId,
                         Map<String, Map<String, String>> groupConfigs) {
        this(offset, brokers, topicsByName, topicsById, topicConfigs, brokerConfigs, nextProducerId, groupConfigs,
                Map.of(), -1);
    }

    /** An image without group configs. */
    public MetadataImage(long offset, Map<Integer, BrokerImage> brokers, Map<String, TopicImage> topicsByName,
                         Map<UUID, TopicImage> topicsById, Map<String, Map<String, String>> topicConfigs,
                         Map<String, Map<String, String>> brokerConfigs, long nextProducerId) {
        this(offset, brokers, topicsByName, topicsById, topicConfigs, brokerConfigs, nextProducerId, Map.of(),
                Map.of(), -1);
    }

    public Optional<TopicImage> topic(String name) {
        return Optional.ofNullable(topicsByName.get(name));
    }

    public Optional<TopicImage> topic(UUID topicId) {
        return Optional.ofNullable(topicsById.get(topicId));
    }

    /** The overrides of a topic; empty if none. */
    public Map<String, String> topicConfig(String name) {
        return topicConfigs.getOrDefault(name, Map.of());
    }

    public Map<String, String> brokerConfig(String brokerId) {
        return brokerConfigs.getOrDefault(brokerId, Map.of());
    }

    /** A user's SCRAM credential for a mechanism, if it has one. */
    public Optional<ScramCredential> scramCredential(String user, ScramMechanism mechanism) {
        return Optional.ofNullable(scramCredentials.getOrDefault(user, Map.of()).get(mechanism));
    }

    /** The overrides of a group; empty if none. */
    public Map<String, String> groupConfig(String groupId) {
        return groupConfigs.getOrDefault(groupId, Map.of());
    }
}
