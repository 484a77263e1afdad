package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.ConsumerGroupConfig;
import io.fjord.broker.coordinator.group.RequestContext;
import io.fjord.broker.coordinator.group.records.CoordinatorRecord;
import io.fjord.broker.coordinator.group.records.GroupKey;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.ConsumerGroupHeartbeatRequestData;
import io.fjord.protocol.message.ConsumerGroupHeartbeatResponseData;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * ConsumerGroupHeartbeat (KIP-848), versions 0-1: joining (member epoch 0), heartbeats that may change the
 * subscription and report owned partitions, leaving (-1) and a static member's temporary leave (-2). A heartbeat
 * is validated completely before it changes anything; then, as in Kafka, it records the member's subscription if it
 * changed, the regular expression's resolution, a group epoch bump when membership, subscriptions or the
 * subscribed topics' metadata changed, a new target assignment when the group epoch is ahead of it, and the
 * member's reconciled current assignment. The response carries the member's epoch and, when the request was a full
 * one or the assignment changed, the partitions it may use now.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class ConsumerGroupHeartbeatHandler {
    static final int JOIN_EPOCH = 0;
    static final int LEAVE_EPOCH = -1;
    static final int STATIC_LEAVE_EPOCH = -2;
    /** Fjord's limits on a heartbeat's strings and lists (Kafka has none this low, but nothing needs more). */
    static final int MAX_ID_LENGTH = 1_024;
    static final int MAX_SUBSCRIBED_TOPICS = 100_000;

    private final GroupStore store;
    private final ConsumerGroupOperations operations;
    private final RandomGenerator random;

    public ConsumerGroupHeartbeatHandler(GroupStore store, ConsumerGroupOperations operations,
            RandomGenerator random) {
        this.store = store;
        this.operations = operations;
        this.random = random;
    }

    public void handle(RequestContext context, ConsumerGroupHeartbeatRequestData request, Effects effects) {
        ConsumerGroupHeartbeatResponseData response;
        try {
            validate(context, request);
            if (request.memberEpoch() == LEAVE_EPOCH || request.memberEpoch() == STATIC_LEAVE_EPOCH) {
                response = leave(request, effects);
            } else {
                response = joinOrHeartbeat(context, request, effects);
            }
        } catch (ConsumerGroupRequestException refused) {
            response = new ConsumerGroupHeartbeatResponseData().setErrorCode(refused.error().code())
                    .setErrorMessage(refused.getMessage());
        }
        effects.reply(context.requestId(), response);
    }

    private void validate(RequestContext context, ConsumerGroupHeartbeatRequestData request) {
        requireNonEmpty(request.groupId(), "GroupId can't be empty.");
        if (request.instanceId() != null) {
            requireNonEmpty(request.instanceId(), "InstanceId can't be empty.");
        }
        if (request.rackId() != null) {
            requireNonEmpty(request.rackId(), "RackId can't be empty.");
        }
        String memberId = request.memberId() == null ? "" : request.memberId();
        if (memberId.length() > MAX_ID_LENGTH || request.groupId().length() > MAX_ID_LENGTH) {
            throw invalid("MemberId or GroupId is too long.");
        }
        int epoch = request.memberEpoch();
        // From version 1 the client generates its member id (KIP-1082); version 0 may let the coordinator do it.
        if (context.apiVersion() >= 1 || epoch != JOIN_EPOCH) {
            requireNonEmpty(memberId, "MemberId can't be empty.");
        }
        if (epoch == JOIN_EPOCH) {
            if (request.rebalanceTimeoutMs() == -1) {
                throw invalid("RebalanceTimeoutMs must be provided in first request.");
            }
            if (request.topicPartitions() == null || !request.topicPartitions().isEmpty()) {
                throw invalid("TopicPartitions must be empty when (re-)joining.");
            }
            if (request.subscribedTopicNames() == null && request.subscribedTopicRegex() == null) {
                throw invalid("SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
            }
        } else if (epoch == STATIC_LEAVE_EPOCH) {
            if (request.instanceId() == null) {
                throw invalid("InstanceId can't be null.");
            }
        } else if (epoch < STATIC_LEAVE_EPOCH) {
            throw invalid("MemberEpoch is invalid.");
        }
        if (request.rebalanceTimeoutMs() < -1) {
            throw invalid("RebalanceTimeoutMs is invalid.");
        }
        if (request.subscribedTopicNames() != null
                && request.subscribedTopicNames().size() > MAX_SUBSCRIBED_TOPICS) {
            throw invalid("SubscribedTopicNames has too many topics.");
        }
        if (request.subscribedTopicNames() != null && request.subscribedTopicNames().stream().anyMatch(Objects::isNull)) {
            throw invalid("SubscribedTopicNames can't contain null.");
        }
        if (request.serverAssignor() != null && !operations.config().assignors().contains(request.serverAssignor())) {
            throw new ConsumerGroupRequestException(Errors.UNSUPPORTED_ASSIGNOR, "ServerAssignor "
                    + request.serverAssignor() + " is not supported. Supported assignors: "
                    + String.join(", ", operations.config().assignors()) + ".");
        }
        String regex = request.subscribedTopicRegex();
        if (regex != null && !regex.isEmpty()
                && TopicRegex.compile(regex, operations.config().maxRegexLength()) == null) {
            throw new ConsumerGroupRequestException(Errors.INVALID_REGULAR_EXPRESSION,
                    "SubscribedTopicRegex `" + regex + "` is not a valid regular expression.");
        }
    }

    private ConsumerGroupHeartbeatResponseData leave(ConsumerGroupHeartbeatRequestData request, Effects effects) {
        ConsumerGroup group = existingGroup(request.groupId());
        String memberId = request.memberId();
        if (request.instanceId() != null) {
            requireStaticMember(group.staticMemberId(request.instanceId()), request.instanceId(), memberId);
        }
        ConsumerGroupMember member = group.member(memberId);
        if (member == null) {
            throw new ConsumerGroupRequestException(Errors.UNKNOWN_MEMBER_ID,
                    "Member " + memberId + " is not a member of group " + group.groupId() + ".");
        }
        if (request.memberEpoch() == STATIC_LEAVE_EPOCH) {
            // The static member keeps its partitions for its next incarnation, within the session timeout.
            int previousEpoch = member.memberEpoch() >= 0 ? member.memberEpoch() : member.previousMemberEpoch();
            ConsumerGroupMember left = member.withAssignment(STATIC_LEAVE_EPOCH, previousEpoch, member.state(),
                    member.assigned(), Map.of());
            operations.appendCurrentAssignment(group.groupId(), left, effects);
            operations.cancelRebalanceTimeout(group.groupId(), memberId);
            operations.scheduleSessionTimeout(group.groupId(), memberId, effects.nowMs());
        } else {
            operations.removeMember(group, memberId, effects);
        }
        return new ConsumerGroupHeartbeatResponseData().setMemberId(memberId)
                .setMemberEpoch(request.memberEpoch()).setHeartbeatIntervalMs(0);
    }

    private ConsumerGroup existingGroup(String groupId) {
        ConsumerGroup group = store.consumerGroup(groupId);
        if (group != null) {
            return group;
        }
        if (store.group(groupId) != null) {
            throw new ConsumerGroupRequestException(Errors.GROUP_ID_NOT_FOUND,
                    "Group " + groupId + " is not a consumer group.");
        }
        throw new ConsumerGroupRequestException(Errors.GROUP_ID_NOT_FOUND,
                "Consumer group " + groupId + " not found.");
    }

    private ConsumerGroupHeartbeatResponseData joinOrHeartbeat(RequestContext context,
            ConsumerGroupHeartbeatRequestData request, Effects effects) {
        String groupId = request.groupId();
        int epoch = request.memberEpoch();
        ConsumerGroup group = store.consumerGroup(groupId);
        ClassicGroup classic = null;
        if (group == null) {
            if (epoch != JOIN_EPOCH) {
                existingGroup(groupId);
            }
            classic = store.group(groupId);
            if (classic != null && !classic.isInState(ClassicGroupState.EMPTY)) {
                // Kafka would migrate a live classic group (KIP-848 online upgrade); Fjord does not yet.
                throw new ConsumerGroupRequestException(Errors.GROUP_ID_NOT_FOUND,
                        "Group " + groupId + " is not a consumer group.");
            }
        }
        SortedMap<UUID, SortedSet<Integer>> owned = owned(request);
        String memberId = request.memberId() == null || request.memberId().isEmpty()
                ? generateMemberId() : request.memberId();
        if (group != null && group.size() >= operations.config().maxSize() && group.member(memberId) == null) {
            // Kafka checks this first, for any request from a member id the full group does not have.
            throw new ConsumerGroupRequestException(Errors.GROUP_MAX_SIZE_REACHED,
                    "The consumer group has reached its maximum capacity of " + operations.config().maxSize()
                            + " members.");
        }
        ConsumerGroupMember member = group == null ? null : group.member(memberId);
        ConsumerGroupMember replaced = null;
        if (request.instanceId() != null) {
            String staticMemberId = group == null ? null : group.staticMemberId(request.instanceId());
            if (epoch == JOIN_EPOCH) {
                if (staticMemberId != null && !staticMemberId.equals(memberId)) {
                    replaced = group.member(staticMemberId);
                    if (replaced.memberEpoch() != STATIC_LEAVE_EPOCH) {
                        throw new ConsumerGroupRequestException(Errors.UNRELEASED_INSTANCE_ID, "Static member "
                                + staticMemberId + " with instance id " + request.instanceId()
                                + " is not released yet.");
                    }
                }
            } else {
                requireStaticMember(staticMemberId, request.instanceId(), memberId);
            }
        }
        if (epoch != JOIN_EPOCH) {
            validateEpoch(group, member, memberId, epoch, owned);
        }
        // Validated: from here on records are appended.
        if (classic != null && classic.persisted() != null) {
            // An empty classic group of the same id becomes this consumer group (its offsets stay).
            effects.append(CoordinatorRecord.tombstone(GroupKey.groupMetadata(groupId)));
        }
        boolean isNew = member == null;
        ConsumerGroupMember before = member;
        if (replaced != null) {
            member = replaceStaticMember(group, replaced, memberId, effects);
            before = null;
            isNew = false;
        }
        ConsumerGroupMember base = member == null ? ConsumerGroupMember.newMember(memberId) : member;
        ConsumerGroupMember updated = updatedSubscription(context, request, base);
        boolean subscriptionChanged = isNew || updated.subscriptionDiffers(base);
        if (isNew || !updated.toMetadataValue().equals(base.toMetadataValue())) {
            operations.appendMemberMetadata(groupId, updated, effects);
        }
        group = store.consumerGroup(groupId);
        if (group == null) {
            // Only a rejoin of nothing at all: cannot happen after the metadata record above for a new member.
            throw new IllegalStateException("consumer group " + groupId + " missing after its member record");
        }
        boolean regexChanged = false;
        if (updated.subscribedTopicRegex() != null && !group.resolvedRegexes().containsKey(
                updated.subscribedTopicRegex())) {
            regexChanged = operations.refreshRegex(group, groupId, updated.subscribedTopicRegex(), effects);
        }
        if (base.subscribedTopicRegex() != null
                && !base.subscribedTopicRegex().equals(updated.subscribedTopicRegex())) {
            operations.removeUnusedRegexes(group, effects);
        }
        if (subscriptionChanged || regexChanged || operations.metadataHash(group) != group.metadataHash()) {
            operations.bumpGroupEpoch(group, effects);
        }
        operations.updateTargetAssignmentIfDue(group, effects);
        ConsumerGroupMember current = group.member(memberId);
        ConsumerGroupMember start = current.memberEpoch() < 0 ? revived(current) : current;
        ConsumerGroupMember reconciled = MemberReconciler.reconcile(group, start, group.targetAssignmentEpoch(),
                group.targetAssignment(memberId), owned);
        if (!reconciled.equals(current) || isNew) {
            operations.appendCurrentAssignment(groupId, reconciled, effects);
        }
        operations.scheduleSessionTimeout(groupId, memberId, effects.nowMs());
        operations.updateRebalanceTimeout(groupId, current, reconciled, effects.nowMs());

        // While the group settles members must hear of it soon (see ConsumerGroupConfig.heartbeatIntervalMs).
        ConsumerGroupConfig groupConfig = operations.config(groupId);
        boolean settling = group.state() != ConsumerGroupState.STABLE
                || effects.nowMs() - group.targetAssignmentTimestampMs() < groupConfig.heartbeatIntervalMs();
        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
                .setMemberId(memberId).setMemberEpoch(reconciled.memberEpoch())
                .setHeartbeatIntervalMs(groupConfig.heartbeatIntervalMs(settling));
        boolean fullRequest = request.rebalanceTimeoutMs() != -1 && request.topicPartitions() != null
                && (request.subscribedTopicNames() != null || request.subscribedTopicRegex() != null);
        if (epoch == JOIN_EPOCH || fullRequest || before == null
                || !reconciled.assignedPartitions().equals(before.assignedPartitions())) {
            response.setAssignment(assignment(reconciled));
        }
        return response;
    }

    /**
     * A static member's new incarnation takes the place of the one that left with epoch -2: the old member's
     * records are removed and the new one starts with its subscription, target and current assignment, at the
     * epoch the old one had, so no rebalance happens.
     */
    private ConsumerGroupMember replaceStaticMember(ConsumerGroup group, ConsumerGroupMember replaced,
            String memberId, Effects effects) {
        SortedMap<UUID, SortedSet<Integer>> target = group.targetAssignment(replaced.memberId());
        ConsumerGroupMember successor = revived(replaced.withMemberId(memberId));
        operations.appendMemberTombstones(group.groupId(), replaced.memberId(), effects);
        operations.appendMemberMetadata(group.groupId(), successor, effects);
        operations.appendTargetAssignment(group.groupId(), memberId, target, effects);
        operations.appendCurrentAssignment(group.groupId(), successor, effects);
        return successor;
    }

    /** The instance id must be known (UNKNOWN_MEMBER_ID) and belong to this member id (FENCED_INSTANCE_ID). */
    private static void requireStaticMember(String staticMemberId, String instanceId, String memberId) {
        if (staticMemberId == null) {
            throw new ConsumerGroupRequestException(Errors.UNKNOWN_MEMBER_ID,
                    "Instance id " + instanceId + " is unknown.");
        }
        if (!staticMemberId.equals(memberId)) {
            throw new ConsumerGroupRequestException(Errors.FENCED_INSTANCE_ID,
                    "Instance id " + instanceId + " belongs to another member.");
        }
    }

    /**
     * A static member back from a temporary leave (epoch -2), at the epoch it had, with its partitions; marked as
     * possibly waiting for partitions so that it reconciles at once (its target may have moved while it was away).
     */
    private static ConsumerGroupMember revived(ConsumerGroupMember left) {
        int epoch = Math.max(left.previousMemberEpoch(), 0);
        return left.withAssignment(epoch, left.previousMemberEpoch(), ConsumerMemberState.UNRELEASED_PARTITIONS,
                left.assigned(), Map.of());
    }

    /**
     * Kafka's epoch check: a member ahead of the coordinator, or behind it other than by one lost epoch bump (the
     * previous epoch with owned partitions all still assigned), is fenced and must rejoin.
     */
    private static void validateEpoch(ConsumerGroup group, ConsumerGroupMember member, String memberId, int epoch,
            SortedMap<UUID, SortedSet<Integer>> owned) {
        if (member == null) {
            throw new ConsumerGroupRequestException(Errors.UNKNOWN_MEMBER_ID,
                    "Member " + memberId + " is not a member of group " + group.groupId() + ".");
        }
        if (epoch > member.memberEpoch()) {
            throw new ConsumerGroupRequestException(Errors.FENCED_MEMBER_EPOCH, "The consumer group member has a "
                    + "greater member epoch (" + epoch + ") than the one known by the group coordinator ("
                    + member.memberEpoch() + "). The member must abandon all its partitions and rejoin.");
        }
        if (epoch < member.memberEpoch() && (epoch != member.previousMemberEpoch() || owned == null
                || !Partitions.isSubset(owned, member.assignedPartitions()))) {
            throw new ConsumerGroupRequestException(Errors.FENCED_MEMBER_EPOCH, "The consumer group member has a "
                    + "smaller member epoch (" + epoch + ") than the one known by the group coordinator ("
                    + member.memberEpoch() + "). The member must abandon all its partitions and rejoin.");
        }
    }

    /** The member with the heartbeat's changes: fields the request leaves null keep their value. */
    private static ConsumerGroupMember updatedSubscription(RequestContext context,
            ConsumerGroupHeartbeatRequestData request, ConsumerGroupMember base) {
        String regex = base.subscribedTopicRegex();
        if (request.subscribedTopicRegex() != null) {
            regex = request.subscribedTopicRegex().isEmpty() ? null : request.subscribedTopicRegex();
        }
        return base.withSubscription(
                request.instanceId() != null ? request.instanceId() : base.instanceId(),
                request.rackId() != null ? request.rackId() : base.rackId(),
                Objects.requireNonNullElse(context.clientId(), ""),
                Objects.requireNonNullElse(context.clientHost(), ""),
                request.subscribedTopicNames() != null ? request.subscribedTopicNames() : base.subscribedTopicNames(),
                regex,
                request.rebalanceTimeoutMs() != -1 ? request.rebalanceTimeoutMs() : base.rebalanceTimeoutMs(),
                request.serverAssignor() != null ? request.serverAssignor() : base.serverAssignor());
    }

    private static SortedMap<UUID, SortedSet<Integer>> owned(ConsumerGroupHeartbeatRequestData request) {
        if (request.topicPartitions() == null) {
            return null;
        }
        TreeMap<UUID, TreeSet<Integer>> owned = new TreeMap<>();
        for (ConsumerGroupHeartbeatRequestData.TopicPartitions topic : request.topicPartitions()) {
            if (topic.topicId() != null && topic.partitions() != null) {
                owned.computeIfAbsent(topic.topicId(), id -> new TreeSet<>()).addAll(topic.partitions());
            }
        }
        return Partitions.copyOf(owned);
    }

    static ConsumerGroupHeartbeatResponseData.Assignment assignment(ConsumerGroupMember member) {
        List<ConsumerGroupHeartbeatResponseData.TopicPartitions> topics = new ArrayList<>();
        member.assignedPartitions().forEach((topicId, partitions) -> topics.add(
                new ConsumerGroupHeartbeatResponseData.TopicPartitions().setTopicId(topicId)
                        .setPartitions(new ArrayList<>(partitions))));
        return new ConsumerGroupHeartbeatResponseData.Assignment().setTopicPartitions(topics);
    }

    /** A member id as Kafka makes them (a random UUID in URL-safe base64), from the injected randomness. */
    private String generateMemberId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void requireNonEmpty(String value, String message) {
        if (value == null || value.isEmpty()) {
            throw invalid(message);
        }
    }

    private static ConsumerGroupRequestException invalid(String message) {
        return new ConsumerGroupRequestException(Errors.INVALID_REQUEST, message);
    }
}
