package io.fjord.broker.handlers;

import io.fjord.broker.MetadataCache;
import io.fjord.broker.coordinator.driver.GroupCoordinatorDriver;
import io.fjord.protocol.message.ApiKey;
import io.fjord.protocol.message.CreateTopicsRequestData;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** Registers the group coordinator's APIs, all served through one {@link GroupCoordinatorDriver}. Stateless. */
public final class GroupHandlers {
    private GroupHandlers() {
    }

    /**
     * @param createTopics creates topics through the controller (FindCoordinator creates {@code __consumer_offsets})
     * @param consumerProtocolEnabled whether {@code group.coordinator.rebalance.protocols} has {@code consumer}
     *        (ConsumerGroupHeartbeat and ConsumerGroupDescribe are registered either way, as Kafka advertises them)
     */
    public static void register(Map<ApiKey, ApiHandler> handlers, MetadataCache cache, GroupCoordinatorDriver driver,
            Function<CreateTopicsRequestData, CompletionStage<?>> createTopics, boolean consumerProtocolEnabled) {
        GroupRouting routing = new GroupRouting(cache, driver);
        handlers.put(ApiKey.FIND_COORDINATOR, new FindCoordinatorHandler(cache, driver, createTopics));
        GroupMembershipHandlers membership = new GroupMembershipHandlers(routing, consumerProtocolEnabled);
        handlers.put(ApiKey.JOIN_GROUP, membership.joinGroup());
        handlers.put(ApiKey.SYNC_GROUP, membership.syncGroup());
        handlers.put(ApiKey.HEARTBEAT, membership.heartbeat());
        handlers.put(ApiKey.LEAVE_GROUP, membership.leaveGroup());
        handlers.put(ApiKey.CONSUMER_GROUP_HEARTBEAT, membership.consumerGroupHeartbeat());
        GroupOffsetHandlers offsets = new GroupOffsetHandlers(cache, routing);
        handlers.put(ApiKey.OFFSET_COMMIT, offsets.offsetCommit());
        handlers.put(ApiKey.OFFSET_FETCH, offsets.offsetFetch());
        handlers.put(ApiKey.OFFSET_DELETE, offsets.offsetDelete());
        handlers.put(ApiKey.TXN_OFFSET_COMMIT, offsets.txnOffsetCommit());
        GroupAdminHandlers admin = new GroupAdminHandlers(routing, consumerProtocolEnabled);
        handlers.put(ApiKey.LIST_GROUPS, admin.listGroups());
        handlers.put(ApiKey.DESCRIBE_GROUPS, admin.describeGroups());
        handlers.put(ApiKey.DELETE_GROUPS, admin.deleteGroups());
        handlers.put(ApiKey.CONSUMER_GROUP_DESCRIBE, admin.consumerGroupDescribe());
    }
}
