package io.fjord.broker.handlers;

import io.fjord.broker.network.RequestContext;
import io.fjord.broker.security.authorizer.Authorizer;
import io.fjord.broker.security.authorizer.RequestAuthorization;
import io.fjord.metadata.acl.AclOperation;
import io.fjord.metadata.acl.AclResourceType;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.FetchResponseData;
import io.fjord.broker.fetch.PartitionToFetch;
import io.fjord.storage.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fetch's checks, as Kafka 4.4's: a follower's fetch (a replica id) needs CLUSTER_ACTION on the cluster, else every
 * partition is TOPIC_AUTHORIZATION_FAILED and nothing is read (a client can never read as a replica: the
 * CVE-2018-1288 shape); a consumer's needs READ on each topic, else its partitions are TOPIC_AUTHORIZATION_FAILED and
 * the others are read. Checked on the fetch session's partitions, not only the request's.
 *
 * <p>Immutable; thread-safe.
 */
final class FetchAuthorization {
    static final FetchAuthorization ALLOW_ALL = new FetchAuthorization(RequestAuthorization.of(Authorizer.ALLOW_ALL));

    private final RequestAuthorization authorization;

    FetchAuthorization(RequestAuthorization authorization) {
        this.authorization = authorization;
    }

    /** The denied partitions with their error answers; empty when all may be read. */
    Map<TopicPartition, FetchResponseData.PartitionData> denied(RequestContext context, boolean fromFollower,
            List<PartitionToFetch> partitions) {
        if (!authorization.enabled() || partitions.isEmpty() || context == null) {
            return Map.of();
        }
        Map<TopicPartition, FetchResponseData.PartitionData> denied = new LinkedHashMap<>();
        if (fromFollower) {
            if (!authorization.authorizeCluster(context, AclOperation.CLUSTER_ACTION)) {
                partitions.forEach(partition -> denied.put(partition.topicPartition(), deniedPartition()));
            }
            return denied;
        }
        Map<String, Boolean> readable = new HashMap<>();
        for (PartitionToFetch partition : partitions) {
            String topic = partition.topicPartition().topic();
            if (!readable.computeIfAbsent(topic, name -> authorization.authorize(context, AclOperation.READ,
                    AclResourceType.TOPIC, name))) {
                denied.put(partition.topicPartition(), deniedPartition());
            }
        }
        return denied;
    }

    static List<PartitionToFetch> allowed(List<PartitionToFetch> partitions,
            Map<TopicPartition, FetchResponseData.PartitionData> denied) {
        if (denied.isEmpty()) {
            return partitions;
        }
        List<PartitionToFetch> allowed = new ArrayList<>(partitions.size());
        for (PartitionToFetch partition : partitions) {
            if (!denied.containsKey(partition.topicPartition())) {
                allowed.add(partition);
            }
        }
        return allowed;
    }

    /**
     * The read with the denied partitions' answers added. They do not make the fetch answer early: like Kafka, a
     * fetch waits on the partitions it may read.
     */
    static PartitionReader.ReadResult withDenied(PartitionReader.ReadResult read,
            Map<TopicPartition, FetchResponseData.PartitionData> denied) {
        if (denied.isEmpty() || read == null) {
            return read;
        }
        Map<TopicPartition, FetchResponseData.PartitionData> partitions = new LinkedHashMap<>(read.partitions());
        denied.forEach((topicPartition, data) -> partitions.put(topicPartition, deniedPartition()));
        return new PartitionReader.ReadResult(partitions, read.recordBytes(), read.hasError(), read.mustAnswerNow());
    }

    private static FetchResponseData.PartitionData deniedPartition() {
        return PartitionReader.errorPartition(Errors.TOPIC_AUTHORIZATION_FAILED);
    }
}
