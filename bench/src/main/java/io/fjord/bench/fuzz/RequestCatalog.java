package io.fjord.bench.fuzz;

import java.util.EnumSet;
import java.util.Set;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Which request body to build for an API: a dedicated builder for the APIs listed in {@link #BUILT} and, for any
 * other API both sides know, the schema's default message (still a well-formed request the handler must answer).
 * Not thread-safe (one per generator).
 */
final class RequestCatalog {
    /** APIs with a dedicated builder. */
    static final Set<ApiKeys> BUILT = EnumSet.of(ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.LIST_OFFSETS,
            ApiKeys.METADATA, ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH, ApiKeys.FIND_COORDINATOR,
            ApiKeys.JOIN_GROUP, ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.DESCRIBE_GROUPS,
            ApiKeys.LIST_GROUPS, ApiKeys.SASL_HANDSHAKE, ApiKeys.API_VERSIONS, ApiKeys.CREATE_TOPICS,
            ApiKeys.DELETE_TOPICS, ApiKeys.DELETE_RECORDS, ApiKeys.INIT_PRODUCER_ID, ApiKeys.DESCRIBE_CONFIGS,
            ApiKeys.ALTER_CONFIGS, ApiKeys.DESCRIBE_LOG_DIRS, ApiKeys.SASL_AUTHENTICATE, ApiKeys.CREATE_PARTITIONS,
            ApiKeys.DELETE_GROUPS, ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.OFFSET_DELETE,
            ApiKeys.DESCRIBE_CLUSTER, ApiKeys.DESCRIBE_PRODUCERS, ApiKeys.CONSUMER_GROUP_HEARTBEAT,
            ApiKeys.CONSUMER_GROUP_DESCRIBE, ApiKeys.DESCRIBE_TOPIC_PARTITIONS);

    private final DataRequests data;
    private final GroupRequests groups;
    private final AdminRequests admin;

    RequestCatalog(FuzzContext context, DecompressionBombs bombs) {
        this.data = new DataRequests(context, new ProducePayloads(bombs));
        this.groups = new GroupRequests(context);
        this.admin = new AdminRequests(context);
    }

    DataRequests data() {
        return data;
    }

    /** A request body for {@code api} at {@code version}, its fields drawn from {@code values}. */
    ApiMessage build(ApiKeys api, short version, FuzzValues values) {
        return switch (api) {
            case PRODUCE -> data.produce(version, values);
            case FETCH -> data.fetch(version, values);
            case LIST_OFFSETS -> data.listOffsets(version, values);
            case METADATA -> data.metadata(version, values);
            case DELETE_RECORDS -> data.deleteRecords(values);
            case INIT_PRODUCER_ID -> data.initProducerId(version, values);
            case API_VERSIONS -> data.apiVersions(version, values);
            case DESCRIBE_CLUSTER -> data.describeCluster(version, values);
            case DESCRIBE_TOPIC_PARTITIONS -> data.describeTopicPartitions(values);
            case DESCRIBE_PRODUCERS -> data.describeProducers(values);
            case DESCRIBE_LOG_DIRS -> data.describeLogDirs(values);
            case FIND_COORDINATOR -> groups.findCoordinator(version, values);
            case JOIN_GROUP -> groups.joinGroup(version, values);
            case SYNC_GROUP -> groups.syncGroup(version, values);
            case HEARTBEAT -> groups.heartbeat(version, values);
            case LEAVE_GROUP -> groups.leaveGroup(version, values);
            case OFFSET_COMMIT -> groups.offsetCommit(version, values);
            case OFFSET_FETCH -> groups.offsetFetch(version, values);
            case OFFSET_DELETE -> groups.offsetDelete(values);
            case DESCRIBE_GROUPS -> groups.describeGroups(version, values);
            case LIST_GROUPS -> groups.listGroups(version, values);
            case DELETE_GROUPS -> groups.deleteGroups(values);
            case CONSUMER_GROUP_HEARTBEAT -> groups.consumerGroupHeartbeat(version, values);
            case CONSUMER_GROUP_DESCRIBE -> groups.consumerGroupDescribe(values);
            case CREATE_TOPICS -> admin.createTopics(version, values);
            case DELETE_TOPICS -> admin.deleteTopics(version, values);
            case CREATE_PARTITIONS -> admin.createPartitions(values);
            case DESCRIBE_CONFIGS -> admin.describeConfigs(version, values);
            case INCREMENTAL_ALTER_CONFIGS -> admin.incrementalAlterConfigs(values);
            case ALTER_CONFIGS -> admin.alterConfigs(values);
            case SASL_HANDSHAKE -> admin.saslHandshake(values);
            case SASL_AUTHENTICATE -> admin.saslAuthenticate(values);
            default -> ApiMessageType.fromApiKey(api.id).newRequest();
        };
    }
}
