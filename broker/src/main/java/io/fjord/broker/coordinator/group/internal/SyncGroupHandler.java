package io.fjord.broker.coordinator.group.internal;

import io.fjord.broker.coordinator.group.RequestContext;
import io.fjord.protocol.Errors;
import io.fjord.protocol.message.SyncGroupRequestData;
import io.fjord.protocol.message.SyncGroupResponseData;
import java.util.HashMap;
import java.util.Map;

/**
 * SyncGroup of the classic protocol: followers wait for the leader; the leader's assignment is persisted as a
 * GroupMetadata record and handed to every waiting member in the same result, so nobody receives an assignment
 * before it is durable. In Stable the current assignment is returned.
 *
 * <p>Not thread-safe: owned by the shard's thread.
 */
public final class SyncGroupHandler {
    private final GroupStore store;
    private final Rebalancer rebalancer;

    public SyncGroupHandler(GroupStore store, Rebalancer rebalancer) {
        this.store = store;
        this.rebalancer = rebalancer;
    }

    public void handle(RequestContext context, SyncGroupRequestData request, Effects effects) {
        if (request.groupId() == null || request.groupId().isEmpty()) {
            reply(context, Errors.INVALID_GROUP_ID, effects);
            return;
        }
        ClassicGroup group = store.group(request.groupId());
        if (group == null) {
            reply(context, Errors.UNKNOWN_MEMBER_ID, effects);
            return;
        }
        Errors error = validate(group, request);
        if (error != Errors.NONE) {
            reply(context, error, effects);
            return;
        }
        ClassicGroupMember member = group.member(request.memberId());
        ClassicGroupMember.PendingRequest pending =
                new ClassicGroupMember.PendingRequest(context.requestId(), context.apiVersion());
        switch (group.state()) {
            case EMPTY -> reply(context, Errors.UNKNOWN_MEMBER_ID, effects);
            case PREPARING_REBALANCE -> reply(context, Errors.REBALANCE_IN_PROGRESS, effects);
            case COMPLETING_REBALANCE -> {
                if (member.isAwaitingSync()) {
                    rebalancer.replySync(group, member, member.awaitingSync(), Errors.REBALANCE_IN_PROGRESS,
                            effects);
                }
                member.setAwaitingSync(pending);
                group.removePendingSyncMember(member.memberId());
                if (group.isLeader(member.memberId())) {
                    Map<String, byte[]> assignment = new HashMap<>();
                    for (SyncGroupRequestData.SyncGroupRequestAssignment entry : request.assignments()) {
                        if (group.hasMember(entry.memberId())) {
                            assignment.put(entry.memberId(), entry.assignment());
                        }
                    }
                    rebalancer.persist(group, assignment, effects);
                    rebalancer.setAndPropagateAssignment(group, assignment, effects);
                    group.transitionTo(ClassicGroupState.STABLE, effects.nowMs());
                }
            }
            case STABLE -> {
                group.removePendingSyncMember(member.memberId());
                rebalancer.replySync(group, member, pending, Errors.NONE, effects);
            }
            default -> reply(context, Errors.COORDINATOR_NOT_AVAILABLE, effects);
        }
    }

    private static Errors validate(ClassicGroup group, SyncGroupRequestData request) {
        if (group.isInState(ClassicGroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        Errors error = MemberValidation.validateMember(group, request.memberId(), request.groupInstanceId());
        if (error != Errors.NONE) {
            return error;
        }
        if (request.generationId() != group.generationId()) {
            return Errors.ILLEGAL_GENERATION;
        }
        if (request.protocolType() != null && !request.protocolType().equals(group.protocolType())) {
            return Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        if (request.protocolName() != null && !request.protocolName().equals(group.protocolName())) {
            return Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        return Errors.NONE;
    }

    private static void reply(RequestContext context, Errors error, Effects effects) {
        effects.reply(context.requestId(), new SyncGroupResponseData().setErrorCode(error.code())
                .setAssignment(ClassicGroupMember.EMPTY_BYTES));
    }
}
