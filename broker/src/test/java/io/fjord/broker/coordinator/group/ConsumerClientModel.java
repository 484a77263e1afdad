package io.fjord.broker.coordinator.group;

import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ConsumerGroupHeartbeatRequestData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * A KIP-848 consumer as the tests model it: it sends its epoch and owned partitions in every heartbeat, adopts an
 * assignment at once when one comes (revoking what is missing from it, taking what is new) and, when fenced or
 * unknown, gives up everything and rejoins with epoch 0 and the same member id.
 */
final class ConsumerClientModel {
    final ConsumerGroupHarness harness;
    final String groupId;
    final String memberId;
    final String instanceId;
    List<String> topics;
    String regex;
    int epoch;
    SortedMap<String, SortedSet<Integer>> owned = new TreeMap<>();
    short lastError;

    ConsumerClientModel(ConsumerGroupHarness harness, String groupId, String memberId, String instanceId,
            List<String> topics) {
        this.harness = harness;
        this.groupId = groupId;
        this.memberId = memberId;
        this.instanceId = instanceId;
        this.topics = topics;
    }

    ConsumerGroupHeartbeatResponseData heartbeat() {
        ConsumerGroupHeartbeatRequestData request = new ConsumerGroupHeartbeatRequestData().setGroupId(groupId)
                .setMemberId(memberId).setMemberEpoch(epoch).setInstanceId(instanceId)
                .setTopicPartitions(ConsumerGroupHarness.ownedPartitions(ConsumerGroupHarness.ownedAll(owned)));
        if (epoch == 0) {
            request.setRebalanceTimeoutMs(ConsumerGroupHarness.REBALANCE_TIMEOUT_MS);
            if (regex != null) {
                request.setSubscribedTopicRegex(regex);
            } else {
                request.setSubscribedTopicNames(new ArrayList<>(topics));
            }
        }
        ConsumerGroupHeartbeatResponseData response = harness.heartbeat(request);
        lastError = response.errorCode();
        if (response.errorCode() == Errors.FENCED_MEMBER_EPOCH.code()
                || response.errorCode() == Errors.UNKNOWN_MEMBER_ID.code()) {
            lose();
            return response;
        }
        if (response.errorCode() != Errors.NONE.code()) {
            return response;
        }
        epoch = response.memberEpoch();
        SortedMap<String, SortedSet<Integer>> assignment = harness.assignment(response);
        if (assignment != null) {
            owned = assignment;
        }
        return response;
    }

    /** Fenced, or crashed and restarted: nothing owned, rejoin at epoch 0. */
    void lose() {
        owned = new TreeMap<>();
        epoch = 0;
    }

    ConsumerGroupHeartbeatResponseData leave() {
        ConsumerGroupHeartbeatResponseData response = harness.heartbeat(new ConsumerGroupHeartbeatRequestData()
                .setGroupId(groupId).setMemberId(memberId).setInstanceId(instanceId)
                .setMemberEpoch(instanceId != null ? -2 : -1));
        lose();
        return response;
    }

    int ownedCount() {
        int count = 0;
        for (SortedSet<Integer> partitions : owned.values()) {
            count += partitions.size();
        }
        return count;
    }
}
